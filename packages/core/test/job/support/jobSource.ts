/**
 * The job tests' source and API: a Bulk API 2.0 query job stream (`bulkSource`) against the
 * loopback double (bulkQueryApi.ts), its token in a secret, and what the tests count of its requests.
 */
import { defineSource } from '@tributary/core';
import { createSecret } from '@tributary/testkit';
import { setHandlerEnv } from '../../landing/support/context.ts';
import { BASE, type BulkQueryApi, type BulkQueryOptions, startBulkQueryApi } from './bulkQueryApi.ts';

export const outputFolder = 'crm/bulk';
export const TOKEN = '00DR0000001abcd!AQ4AQJobStreamTestTokenXyz';
/** The id the double gives the run's first job. */
export const JOB_ID = '750R0000000zlh01IAA';
const QUERY =
  'SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= {since} AND SystemModstamp < {until}';

export const rows = Array.from({ length: 9 }, (_, i) => ({
  Id: `001R0000005hD${String(i).padStart(2, '0')}AAA`,
  Name: `Account ${i}`,
  SystemModstamp: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(),
}));

/** The stream reads CSV results (as Salesforce sends them), or JSON ones (`results: 'json'`). */
export function bulkSource(
  poll: { maxWaitSeconds?: number } = {},
  results: 'csv' | 'json' = 'csv',
  retrySafe = true,
) {
  return defineSource({
    name: 'bulk-api',
    baseUrl: 'https://example.my.salesforce.invalid',
    auth: { type: 'bearer', secretKey: 'token' },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 100 },
    streams: {
      accounts: {
        path: `${BASE}/{job.id}/results`,
        params: { maxRecords: 2 },
        // Salesforce answers results as CSV; the stream's headers go with the results requests only.
        headers: { Accept: results === 'csv' ? 'text/csv' : 'application/json' },
        ...(results === 'csv' && { decoder: { type: 'csv' as const } }),
        primaryKey: 'Id',
        paginator: { type: 'headerCursor', header: 'Sforce-Locator', param: 'locator' },
        incremental: { cursorField: 'SystemModstamp', initialSince: '2026-01-01T00:00:00Z' },
        job: {
          create: {
            path: BASE,
            request: {
              type: 'json',
              method: 'POST',
              body: { operation: 'query', query: QUERY },
              retrySafe,
            },
            idPath: 'id',
          },
          poll: {
            path: `${BASE}/{job.id}`,
            statusPath: 'state',
            done: ['JobComplete'],
            failed: ['Failed', 'Aborted'],
            messagePath: 'errorMessage',
            intervalMs: 1,
            maxIntervalMs: 2,
            ...poll,
          },
          cleanup: { method: 'DELETE', path: `${BASE}/{job.id}` },
        },
      },
    },
    runtime: { safetyMarginMs: 60_000, partSizeBytes: 1024, streamConcurrency: 1 },
  });
}

const apis: BulkQueryApi[] = [];

/** Where a test file lands and keeps the token: its own bucket and secret. */
export interface Lake {
  bucket: string;
  secretName: string;
  /** @default outputFolder */
  folder?: string;
}

/** Puts the token into the file's secret (once per test file). */
export const storeToken = ({ secretName }: Lake) => createSecret(secretName, { token: TOKEN });

/** Starts the double, and points the handler at it, the bucket and the secret. */
export async function start(
  { bucket, secretName, folder = outputFolder }: Lake,
  options: Partial<BulkQueryOptions> = {},
): Promise<BulkQueryApi> {
  const api = await startBulkQueryApi({ token: TOKEN, rows, ...options });
  apis.push(api);
  setHandlerEnv({ bucket, outputFolder: folder, apiBaseUrl: api.url, secretName });
  return api;
}

export async function closeApis(): Promise<void> {
  for (const api of apis.splice(0)) await api.close();
}

/** The polls of a job (`GET …/jobs/query/<id>`). */
export const polls = (api: BulkQueryApi) =>
  api.requests.filter((r) => r.method === 'GET' && /query\/[^/]+$/.test(r.path));
/** The results requests (`GET …/jobs/query/<id>/results`). */
export const resultSets = (api: BulkQueryApi) => api.requestsTo(/\/results$/);
export { BASE };
