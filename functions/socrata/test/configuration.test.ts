/**
 * The socrata definition is built from SOCRATA_DOMAIN and SOCRATA_DATASETS when the module loads:
 * stream names derived safely, bad configuration refused naming the variable, and the app token
 * optional (a secret without `app_token` sends no X-App-Token).
 */
import { createBucket, createSecret, lambdaContext, readLanded, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeRow, socrataRoute } from '../double/index.ts';

const load = async (env: Record<string, string | undefined>) => {
  vi.resetModules();
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return import('../src/source.ts');
};

afterEach(() => {
  delete process.env.SOCRATA_DOMAIN;
  delete process.env.SOCRATA_DATASETS;
});

describe('socrata configuration', () => {
  it('makes one stream per dataset: the given name, else dataset_<id>', async () => {
    const { source } = await load({
      SOCRATA_DOMAIN: 'data.seattle.gov',
      SOCRATA_DATASETS: ' permits=ipu4-2q9a , kzjm-xkqj ',
    });
    expect(source.baseUrl).toMatch(/^https:\/\/data\.seattle\.gov\/?$/);
    expect(Object.keys(source.streams)).toEqual(['permits', 'dataset_kzjm_xkqj']);
    expect(source.streams.permits).toMatchObject({ path: '/resource/ipu4-2q9a.json', primaryKey: ':id' });
  });

  it.each([
    [{ SOCRATA_DOMAIN: undefined, SOCRATA_DATASETS: 'ipu4-2q9a' }, /SOCRATA_DOMAIN/],
    [{ SOCRATA_DOMAIN: 'https://data.seattle.gov', SOCRATA_DATASETS: 'ipu4-2q9a' }, /SOCRATA_DOMAIN/],
    [{ SOCRATA_DOMAIN: 'data.seattle.gov', SOCRATA_DATASETS: undefined }, /SOCRATA_DATASETS/],
    [{ SOCRATA_DOMAIN: 'data.seattle.gov', SOCRATA_DATASETS: 'ipu42q9a' }, /SOCRATA_DATASETS.*"ipu42q9a"/],
    [{ SOCRATA_DOMAIN: 'data.seattle.gov', SOCRATA_DATASETS: 'Permits=ipu4-2q9a' }, /"Permits=ipu4-2q9a"/],
    [{ SOCRATA_DOMAIN: 'data.seattle.gov', SOCRATA_DATASETS: 'a=ipu4-2q9a,a=kzjm-xkqj' }, /"a" twice/],
  ])('refuses %o with a ConfigurationError naming what is wrong', async (env, message) => {
    await expect(load(env)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(message),
    });
  });

  it('sends no X-App-Token when the secret has no app_token', async () => {
    // Prepare
    const bucket = 'tributary-test-source-socrata-anon';
    const secret = 'api-credentials/socrata-anonymous-test';
    await createBucket(bucket);
    await createSecret(secret, {});
    const rows = Array.from({ length: 5 }, (_, i) => makeRow('ipu4-2q9a', i));
    const api = await startApi(
      socrataRoute(new Map([['ipu4-2q9a', rows]]), undefined, {
        throttleOn: new Map(),
        malformedOn: new Set(),
      }),
    );
    try {
      Object.assign(process.env, {
        API_BASE_URL: api.url,
        TARGET_S3_BUCKET_NAME: bucket,
        SECRET_NAME: secret,
        OUTPUT_FOLDER: 'socrata',
      });
      await load({ SOCRATA_DOMAIN: 'data.seattle.gov', SOCRATA_DATASETS: 'permits=ipu4-2q9a' });
      const { handler } = await import('../src/handler.ts');

      // Act
      await handler({ runId: 'socrata-anon-1' }, lambdaContext());

      // Assess
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]!.headers).not.toHaveProperty('x-app-token');
      expect((await readLanded(bucket, 'socrata', 'permits', 'socrata-anon-1')).records).toHaveLength(5);
    } finally {
      await api.close();
    }
  });
});
