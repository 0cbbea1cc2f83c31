import { type ErrorOptions, TributaryError } from './TributaryError.ts';

interface JobErrorOptions extends ErrorOptions {
  /** The API's id of the job. */
  jobId: string;
}

/**
 * An async report job (a `job` stream, packages/core/src/job/) ended without results: the API said
 * it failed or was aborted (one of `poll.failed`), or it is gone (a 404 on poll: expired or deleted).
 * Fatal: a retry would poll the same job. The message carries the API's own message (`messagePath`);
 * `jobId` and `where.stream` say which job. A new run creates a new job.
 */
export class JobFailedError extends TributaryError {
  override readonly name = 'JobFailedError';
  readonly jobId: string;
  /** The API's message (`poll.messagePath`), if it gave one. */
  readonly apiMessage: string | undefined;

  constructor(message: string, options: JobErrorOptions & { apiMessage?: string }) {
    super(message, options);
    this.jobId = options.jobId;
    this.apiMessage = options.apiMessage;
  }
}

/**
 * An async report job was still running after `poll.maxWaitSeconds` of waiting between polls,
 * counted across every invocation of the run (the continuation carries the wait). Fatal: the job is
 * not re-created by a retry. The message names the job id and what to do.
 */
export class JobTimeoutError extends TributaryError {
  override readonly name = 'JobTimeoutError';
  readonly jobId: string;

  constructor(message: string, options: JobErrorOptions) {
    super(message, options);
    this.jobId = options.jobId;
  }
}
