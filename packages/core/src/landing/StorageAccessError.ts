import { TributaryError } from '../errors/TributaryError.ts';

/**
 * S3 refused the raw zone for good: the bucket does not exist, or the function's role may not
 * touch it (`NoSuchBucket`, `AccessDenied`, …). Fatal: a retry gets the same answer, so the state
 * machine does not retry it. The message names the bucket, S3's error code and what to check.
 */
export class StorageAccessError extends TributaryError {
  override readonly name = 'StorageAccessError';
}
