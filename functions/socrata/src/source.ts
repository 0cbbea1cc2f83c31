/**
 * Socrata Open Data API, SODA 2.x (https://dev.socrata.com/): any dataset of one open-data portal.
 * `SOCRATA_DOMAIN` is the portal's host (e.g. `data.cityofnewyork.us`); `SOCRATA_DATASETS` lists
 * its dataset ids (`xxxx-xxxx`), each optionally named: `permits=ipu4-2q9a,complaints=erm2-nwe9`.
 * One stream per dataset: the given name, else `dataset_<id with _>`.
 */
import { ConfigurationError, defineSource, envList, envValue, type SourceInput } from '@tributary/core';

const domain = envValue('SOCRATA_DOMAIN', {
  pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
  example: 'data.cityofnewyork.us',
});

const DATASET = /^(?:([a-z][a-z0-9_]*)=)?([a-z0-9]{4}-[a-z0-9]{4})$/;
const datasets = envList('SOCRATA_DATASETS', { pattern: DATASET, example: '[name=]xxxx-xxxx' }).map(
  (entry) => {
    const [, name, id] = DATASET.exec(entry) as RegExpExecArray;
    return { stream: name ?? `dataset_${id!.replace('-', '_')}`, id: id! };
  },
);

/** One dataset: `/resource/<id>.json`, system fields included, pages of `$limit` in `:id` order. */
const dataset = (id: string): SourceInput['streams'][string] => ({
  path: `/resource/${id}.json`,
  params: { $select: ':*, *', $order: ':id' },
  paginator: { type: 'offset', offsetParam: '$offset', limitParam: '$limit', limit: 10_000 },
  primaryKey: ':id',
  incremental: { cursorField: ':updated_at', params: { $where: ":updated_at > '{since:floating}'" } },
});

const streams: SourceInput['streams'] = {};
for (const { stream, id } of datasets) {
  if (streams[stream]) throw new ConfigurationError(`SOCRATA_DATASETS names stream "${stream}" twice`);
  streams[stream] = dataset(id);
}

export const source = defineSource({
  name: 'socrata',
  baseUrl: `https://${domain}`,
  // Without an app token requests are throttled per IP; with one, far more generously.
  auth: { type: 'apiKey', in: 'header', name: 'X-App-Token', secretKey: 'app_token', optional: true },
  rateLimit: { concurrency: 2 },
  streams,
});
