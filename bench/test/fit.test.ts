import { describe, expect, it } from 'vitest';
import { fitLine } from '../small/fit.ts';

describe('fitLine', () => {
  it('recovers fixed cost and cost per record from points on a line', () => {
    const fit = fitLine([
      { records: 10_000, cpuMs: 240 + 70 },
      { records: 100_000, cpuMs: 240 + 700 },
      { records: 1_000_000, cpuMs: 240 + 7000 },
    ]);
    expect(fit?.fixedMs).toBeCloseTo(240, 6);
    expect(fit?.microsPerRecord).toBeCloseTo(7, 6);
  });

  it('needs two distinct sizes', () => {
    expect(fitLine([{ records: 10, cpuMs: 1 }])).toBeUndefined();
    expect(
      fitLine([
        { records: 10, cpuMs: 1 },
        { records: 10, cpuMs: 2 },
      ]),
    ).toBeUndefined();
  });
});
