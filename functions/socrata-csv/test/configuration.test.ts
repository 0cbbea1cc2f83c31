/**
 * The socrata-csv definition is built from SOCRATA_CSV_DOMAIN and SOCRATA_CSV_DATASETS when the
 * module loads: one CSV stream per dataset, bad configuration refused naming the variable.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const load = async (env: Record<string, string | undefined>) => {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return import('../src/source.ts');
};

afterEach(() => {
  delete process.env.SOCRATA_CSV_DOMAIN;
  delete process.env.SOCRATA_CSV_DATASETS;
});

describe('socrata-csv configuration', () => {
  it('makes one CSV export stream per dataset: the given name, else dataset_<id>', async () => {
    const { source } = await load({
      SOCRATA_CSV_DOMAIN: 'data.seattle.gov',
      SOCRATA_CSV_DATASETS: ' permits=ipu4-2q9a , kzjm-xkqj ',
    });
    expect(source.baseUrl).toMatch(/^https:\/\/data\.seattle\.gov\/?$/);
    expect(Object.keys(source.streams).sort()).toEqual(['dataset_kzjm_xkqj', 'permits']);
    expect(source.streams.permits).toMatchObject({
      path: '/resource/ipu4-2q9a.csv',
      decoder: { type: 'csv' },
      compression: 'auto',
      primaryKey: ':id',
    });
  });

  it('refuses a missing or malformed variable, naming it, and a stream named twice', async () => {
    await expect(
      load({ SOCRATA_CSV_DOMAIN: 'data.seattle.gov', SOCRATA_CSV_DATASETS: undefined }),
    ).rejects.toThrow(/SOCRATA_CSV_DATASETS/);
    await expect(
      load({ SOCRATA_CSV_DOMAIN: 'not a host', SOCRATA_CSV_DATASETS: 'ipu4-2q9a' }),
    ).rejects.toThrow(/SOCRATA_CSV_DOMAIN/);
    await expect(
      load({ SOCRATA_CSV_DOMAIN: 'data.seattle.gov', SOCRATA_CSV_DATASETS: 'ipu4' }),
    ).rejects.toThrow(/SOCRATA_CSV_DATASETS.*ipu4/);
    await expect(
      load({ SOCRATA_CSV_DOMAIN: 'data.seattle.gov', SOCRATA_CSV_DATASETS: 'a=ipu4-2q9a,a=kzjm-xkqj' }),
    ).rejects.toThrow(/names stream "a" twice/);
  });
});
