import { TributaryError } from '../errors/TributaryError.ts';

/**
 * Writing to the raw zone (a part, a manifest, a watermark) or reading it back failed; an open
 * upload was aborted, so no partial object is left. Retryable: a rerun with the same event
 * rewrites the same keys.
 */
export class SinkError extends TributaryError {
  override readonly name = 'SinkError';
  static override readonly retryable = true;
}
