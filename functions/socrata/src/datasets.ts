/**
 * A Socrata portal's datasets as a source's streams, from an environment variable listing dataset
 * ids (`xxxx-xxxx`), each optionally named: `permits=ipu4-2q9a,kzjm-xkqj`. One stream per dataset:
 * the given name, else `dataset_<id with _>` (raw-tables.cjs applies the same rule at package time).
 * Shared by the JSON source (`SOCRATA_DATASETS`) and the CSV export (`SOCRATA_CSV_DATASETS`).
 */
import { ConfigurationError, envList, type SourceInput } from '@tributary/core';

export const DATASET = /^(?:([a-z][a-z0-9_]*)=)?([a-z0-9]{4}-[a-z0-9]{4})$/;

/** The streams `variable` lists, each made by `dataset` from its id; a stream named twice is refused. */
export function datasetStreams(
  variable: string,
  dataset: (id: string) => SourceInput['streams'][string],
): SourceInput['streams'] {
  const streams: SourceInput['streams'] = {};
  for (const entry of envList(variable, { pattern: DATASET, example: '[name=]xxxx-xxxx' })) {
    const [, name, id] = DATASET.exec(entry) as RegExpExecArray;
    const stream = name ?? `dataset_${id!.replace('-', '_')}`;
    if (streams[stream]) throw new ConfigurationError(`${variable} names stream "${stream}" twice`);
    streams[stream] = dataset(id!);
  }
  return streams;
}
