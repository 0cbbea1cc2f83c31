/**
 * What `checkDefinition` asks of a stream's decoder: the kind's own checks, and that a streamed
 * (non-json) stream uses nothing that reads a JSON body — `records`, or a paginator with body paths.
 */
import type { StreamDefinition } from '../definition/schema.ts';
import { bodyPathsOf } from '../pagination/registry.ts';
import { checkDecoder } from './registry.ts';

export function checkFileStream(at: string, stream: StreamDefinition, problems: string[]): void {
  const { decoder } = stream;
  for (const problem of checkDecoder(decoder)) problems.push(`${at}.decoder: ${problem}`);
  if (decoder.type === 'json') {
    if (stream.compression === 'gzip' || stream.compression === 'zip') {
      problems.push(
        `${at}.compression: "${stream.compression}" applies to a streamed file (decoder jsonl or csv); ` +
          "a JSON body's content-encoding is always decoded: remove it, or set the decoder",
      );
    }
    return;
  }
  if (stream.records !== '') {
    problems.push(
      `${at}.records: applies to a json body only; a ${decoder.type} file's rows are the records: remove it`,
    );
  }
  const paths = bodyPathsOf(stream.paginator);
  if (paths.length > 0) {
    problems.push(
      `${at}.paginator: the ${stream.paginator.type} paginator reads ${paths.map((p) => `"${p}"`).join(', ')} ` +
        `from a JSON body, but a ${decoder.type} stream's body is rows: page it by headers or the URL ` +
        '(link, headerCursor, offset or page without a total path, cursor with lastRecordPath), or use decoder json',
    );
  }
}
