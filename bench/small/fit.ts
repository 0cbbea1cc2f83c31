/** Least squares of CPU = fixed + perRecord × records over measured sizes. Pure. */
export interface Fit {
  fixedMs: number;
  microsPerRecord: number;
  points: { records: number; cpuMs: number }[];
}

export function fitLine(points: { records: number; cpuMs: number }[]): Fit | undefined {
  const distinct = new Set(points.map((p) => p.records));
  if (points.length < 2 || distinct.size < 2) return undefined;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.records, 0) / n;
  const my = points.reduce((s, p) => s + p.cpuMs, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.records - mx) * (p.cpuMs - my);
    sxx += (p.records - mx) ** 2;
  }
  const slopeMs = sxy / sxx;
  return { fixedMs: my - slopeMs * mx, microsPerRecord: slopeMs * 1000, points };
}
