/**
 * Parses a body as JSON, once, from the raw buffer. A body that is not JSON, or is cut short, is a
 * `MalformedResponseError` naming the URL (secrets stripped) with the start of the body.
 */
import { type ErrorWhere, MalformedResponseError } from '../errors.ts';
import type { Redactor } from './Redactor.ts';
import { type HttpResponse, header } from './types.ts';

export function parseJson(response: HttpResponse, redactor: Redactor, where: ErrorWhere): unknown {
  if (response.noRecords || response.body.length === 0) return null;
  try {
    return JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // V8 says where parsing stopped: at the very end means the body was cut short.
    const at = /position (\d+)/.exec(message);
    const truncated =
      /end of (JSON )?input|Unterminated/i.test(message) ||
      (at !== null && Number(at[1]) >= response.body.length - 1);
    const type = header(response.headers, 'content-type');
    const what = truncated
      ? 'a truncated JSON body'
      : `a body that is not JSON${type ? ` (content-type ${type})` : ''}`;
    const snippet = redactor.snippet(response.body);
    throw new MalformedResponseError(
      `HTTP ${response.status} with ${what} (${response.body.length} bytes): ${snippet}`,
      {
        snippet,
        where,
      },
    );
  }
}
