/**
 * Socrata's CSV export (SODA, https://dev.socrata.com/docs/formats/csv.html): any dataset of one
 * public-sector open-data portal read as `/resource/<id>.csv`, decoded as CSV, gzip on the wire.
 * `SOCRATA_CSV_DOMAIN` is the portal's host (e.g. `data.cityofnewyork.us`); `SOCRATA_CSV_DATASETS`
 * lists its dataset ids (`xxxx-xxxx`), each optionally named: `permits=ipu4-2q9a,kzjm-xkqj`.
 * One stream per dataset: the given name, else `dataset_<id with _>`.
 */
import { ConfigurationError, defineSource, envList, envValue, type SourceInput } from '@tributary/core';

const domain = envValue('SOCRATA_CSV_DOMAIN', {
  pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
  example: 'data.cityofnewyork.us',
});

const DATASET = /^(?:([a-z][a-z0-9_]*)=)?([a-z0-9]{4}-[a-z0-9]{4})$/;
const datasets = envList('SOCRATA_CSV_DATASETS', { pattern: DATASET, example: '[name=]xxxx-xxxx' }).map(
  (entry) => {
    const [, name, id] = DATASET.exec(entry) as RegExpExecArray;
    return { stream: name ?? `dataset_${id!.replace('-', '_')}`, id: id! };
  },
);

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

const streams: SourceInput['streams'] = {};
for (const { stream, id } of datasets) {
  if (streams[stream]) throw new ConfigurationError(`SOCRATA_CSV_DATASETS names stream "${stream}" twice`);
  streams[stream] = dataset(id);
}

export const source = defineSource({
  name: 'socrata-csv',
  baseUrl: `https://${domain}`,
  // Without an app token requests are throttled per IP; with one, far more generously.
  auth: { type: 'apiKey', in: 'header', name: 'X-App-Token', secretKey: 'app_token', optional: true },
  rateLimit: { concurrency: 2 },
  streams,
});
