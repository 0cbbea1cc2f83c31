/**
 * The `--baseline` section of the report: the code at the baseline ref against the code as it is,
 * measured in the same run (issue 14's rule: CPU per record and cold-init CPU within 5 %, bundle ≤ 1 MB).
 */
import type { SizeResult } from '../ingest/runIngest.ts';
import { BUNDLE_LIMIT, WITHIN } from '../transport/runTransport.ts';
import type { ColdInitPair } from './build.ts';

export interface BaselineResult {
  ref: string;
  commit: string;
  buildSeconds: number;
  /** The github function built the same way (esbuild, serverless.yml's options) from each side. */
  bundleBytes: { current: number; baseline: number };
  /** Measured by the bundles part (absent when it did not run). */
  coldInit?: ColdInitPair;
}

export interface BaselineRow {
  figure: string;
  current: number;
  baseline: number;
  /** current ÷ baseline. */
  ratio: number;
  within: boolean;
}

export function baselineRows(b: BaselineResult, ingest: SizeResult[] = []): BaselineRow[] {
  const row = (figure: string, current: number, baseline: number): BaselineRow => ({
    figure,
    current,
    baseline,
    ratio: current / baseline,
    within: current / baseline <= 1 + WITHIN,
  });
  const rows: BaselineRow[] = [];
  for (const s of ingest) {
    const { tributary: t, baseline: base } = s.contenders;
    if (t?.ok && base?.ok)
      rows.push(
        row(
          `CPU µs / record, ${s.records.toLocaleString('en')} records (median of ${s.repetitions})`,
          t.cpuMicrosPerRecord,
          base.cpuMicrosPerRecord,
        ),
      );
  }
  const c = b.coldInit;
  if (c) {
    rows.push(row(`cold-init CPU ms, github (median of ${c.runs})`, c.currentCpuMs, c.baselineCpuMs));
    rows.push(
      row(
        `cold-init CPU ms beyond \`node -e 0\` (${c.nodeEmptyCpuMs.toFixed(1)} ms)`,
        c.currentCpuMs - c.nodeEmptyCpuMs,
        c.baselineCpuMs - c.nodeEmptyCpuMs,
      ),
    );
  }
  return rows;
}

export function baselineLines(b: BaselineResult, ingest?: SizeResult[]): string[] {
  const f = (v: number) => v.toLocaleString('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const kb = (v: number) => `${(v / 1024).toFixed(0)} KB`;
  const lines = [
    `## Against the baseline \`${b.ref}\` (${b.commit}), same run`,
    '',
    `The baseline's core built from a git worktree of ${b.commit} (its own node_modules) in ${f(b.buildSeconds)} s: ` +
      'the tributary contender run by the ingestion beside the current one (fresh process each, order rotating), ' +
      "and the github function built from each side with serverless.yml's esbuild options, cold inits alternating. " +
      `Within = current ≤ ${Math.round(100 * (1 + WITHIN))} % of the baseline (issue 14).`,
    '',
    '| figure | current | baseline | current / baseline | within 5 % |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of baselineRows(b, ingest))
    lines.push(
      `| ${r.figure} | ${f(r.current)} | ${f(r.baseline)} | ${r.ratio.toFixed(3)} | ${r.within ? 'yes' : '**no**'} |`,
    );
  const { current, baseline } = b.bundleBytes;
  lines.push(
    `| github bundle | ${kb(current)} | ${kb(baseline)} | ${(current / baseline).toFixed(3)} | ` +
      `${current <= BUNDLE_LIMIT ? '≤ 1 MB' : '**over 1 MB**'} |`,
    '',
  );
  if (!b.coldInit) lines.push('Cold init not measured (the bundles part did not run).', '');
  return lines;
}
