/**
 * Socrata's CSV export (SODA, https://dev.socrata.com/docs/formats/csv.html): any dataset of one
 * public-sector open-data portal read as `/resource/<id>.csv`, decoded as CSV, gzip on the wire.
 * `SOCRATA_CSV_DOMAIN` is the portal's host (e.g. `data.cityofnewyork.us`); `SOCRATA_CSV_DATASETS`
 * lists its dataset ids (`xxxx-xxxx`), each optionally named: `permits=ipu4-2q9a,kzjm-xkqj`.
 * One stream per dataset: the given name, else `dataset_<id with _>`.
 */
import { defineSource, envValue, type SourceInput } from '@tributary/core';
// The same dataset-list rule as the JSON source's (one parser): imported by path, bundled into this
// function — not a workspace package import, which serverless-esbuild's pnpm packaging did not resolve.
import { datasetStreams } from '../../socrata/src/datasets.ts';

const domain = envValue('SOCRATA_CSV_DOMAIN', {
  pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
  example: 'data.cityofnewyork.us',
});

/**
 * One dataset's export: the system fields too, in `:id` order, in files of 50,000 rows (the most a
 * 2.0 endpoint gives; 2.1 has no maximum, but a smaller file is a smaller thing to read again).
 */
const dataset = (id: string): SourceInput['streams'][string] => ({
  path: `/resource/${id}.csv`,
  params: { $select: ':*, *', $order: ':id' },
  paginator: { type: 'offset', offsetParam: '$offset', limitParam: '$limit', limit: 50_000 },
  decoder: { type: 'csv' },
  primaryKey: ':id',
  incremental: { cursorField: ':updated_at', params: { $where: ":updated_at > '{since:floating}'" } },
});

const streams = datasetStreams('SOCRATA_CSV_DATASETS', dataset);

export const source = defineSource({
  name: 'socrata-csv',
  baseUrl: `https://${domain}`,
  // Without an app token requests are throttled per IP; with one, far more generously.
  auth: { type: 'apiKey', in: 'header', name: 'X-App-Token', secretKey: 'app_token', optional: true },
  rateLimit: { concurrency: 2 },
  streams,
});
