/**
 * One place that turns an S3 failure into a typed error: a refusal a retry cannot cure (no such
 * bucket, access denied) is a fatal `StorageAccessError`; anything else (a dropped connection, a
 * 5xx, throttling) a retryable `SinkError`. Both name the object and S3's error code.
 */
import type { ErrorWhere } from '../../errors.ts';
import { SinkError } from '../SinkError.ts';
import { StorageAccessError } from '../StorageAccessError.ts';

/** S3 error codes that mean "this bucket is not yours to use": what to check, by code. */
const FATAL_CODES: Record<string, string> = {
  NoSuchBucket: 'check TARGET_S3_BUCKET_NAME: the bucket does not exist (or not in this account)',
  AccessDenied:
    "check TARGET_S3_BUCKET_NAME and OUTPUT_FOLDER: the function's role may use only its own prefixes of the stack's raw bucket",
  AllAccessDisabled: 'the bucket has all access disabled: check TARGET_S3_BUCKET_NAME',
  InvalidBucketName: 'check TARGET_S3_BUCKET_NAME: it is not a valid bucket name',
  PermanentRedirect: "the bucket is in another region than the function's: check TARGET_S3_BUCKET_NAME",
  InvalidAccessKeyId: 'the credentials are not valid for S3: check the AWS credentials in use',
  SignatureDoesNotMatch: 'the credentials are not valid for S3: check the AWS credentials in use',
};

/** S3's error code of an SDK v3 error (`name`, else `Code`), or the error's name. */
export function s3ErrorCode(cause: unknown): string {
  if (cause && typeof cause === 'object') {
    const e = cause as { name?: unknown; Code?: unknown };
    if (typeof e.Code === 'string' && e.Code) return e.Code;
    if (typeof e.name === 'string' && e.name) return e.name;
  }
  return 'Error';
}

/**
 * `<what> s3://<bucket>/<key>` failed: a `StorageAccessError` for a refusal (with what to check), a
 * `SinkError` otherwise. A `SinkError`/`StorageAccessError` passed as the cause is returned as is.
 */
export function storageError(
  what: string,
  location: { bucket: string; key?: string },
  cause: unknown,
  where?: ErrorWhere,
): SinkError | StorageAccessError {
  if (cause instanceof SinkError || cause instanceof StorageAccessError) return cause;
  const code = s3ErrorCode(cause);
  const detail =
    cause instanceof Error && cause.message && cause.message !== code ? `: ${cause.message}` : '';
  const uri = `s3://${location.bucket}/${location.key ?? ''}`;
  const hint = FATAL_CODES[code];
  if (hint) return new StorageAccessError(`${what} ${uri}: S3 ${code}${detail}; ${hint}`, { cause, where });
  return new SinkError(`${what} ${uri} failed (S3 ${code}${detail})`, { cause, where });
}
