/**
 * Socrata Open Data API, SODA 2.x (https://dev.socrata.com/): any dataset of one open-data portal.
 * `SOCRATA_DOMAIN` is the portal's host (e.g. `data.cityofnewyork.us`); `SOCRATA_DATASETS` lists
 * its dataset ids (`xxxx-xxxx`), each optionally named: `permits=ipu4-2q9a,complaints=erm2-nwe9`.
 * One stream per dataset: the given name, else `dataset_<id with _>`.
 */
import { defineSource, envValue, type SourceInput } from '@tributary/core';
import { datasetStreams } from './datasets.ts';

const domain = envValue('SOCRATA_DOMAIN', {
  pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
  example: 'data.cityofnewyork.us',
});

/** One dataset: `/resource/<id>.json`, system fields included, pages of `$limit` in `:id` order. */
const dataset = (id: string): SourceInput['streams'][string] => ({
  path: `/resource/${id}.json`,
  params: { $select: ':*, *', $order: ':id' },
  paginator: { type: 'offset', offsetParam: '$offset', limitParam: '$limit', limit: 10_000 },
  primaryKey: ':id',
  incremental: { cursorField: ':updated_at', params: { $where: ":updated_at > '{since:floating}'" } },
});

const streams = datasetStreams('SOCRATA_DATASETS', dataset);

export const source = defineSource({
  name: 'socrata',
  baseUrl: `https://${domain}`,
  // Without an app token requests are throttled per IP; with one, far more generously.
  auth: { type: 'apiKey', in: 'header', name: 'X-App-Token', secretKey: 'app_token', optional: true },
  rateLimit: { concurrency: 2 },
  streams,
});
