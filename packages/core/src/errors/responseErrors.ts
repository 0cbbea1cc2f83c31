import { TributaryError } from './TributaryError.ts';
import { withFacts } from './withFacts.ts';

/** A body that is not the JSON expected (non-JSON, truncated, records not an array); carries a snippet. */
export class MalformedResponseError extends withFacts<{ snippet: string }>({ snippet: true }) {
  override readonly name = 'MalformedResponseError';
}

/** Pagination went round in circles (a cursor, URL or page body seen twice) or passed `maxPages`. */
export class PaginationLoopError extends TributaryError {
  override readonly name = 'PaginationLoopError';
}

/**
 * ➕ A window-stepped stream's slice holds more results than `window.maxRecords` (the API's cap on
 * one query) and cannot be split further: names the stream, the slice and what to do.
 */
export class WindowSliceError extends TributaryError {
  override readonly name = 'WindowSliceError';
}
