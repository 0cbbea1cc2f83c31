/** Errors of the local pipeline runner: each names what was wrong and where. */

export class LocalPipelineError extends Error {
  override name = 'LocalPipelineError';
}

/** `sls package` failed; carries the tail of its output. */
export class PackagingError extends LocalPipelineError {
  override name = 'PackagingError';
}

/** The packaged CloudFormation template is missing, or holds no (or an unreadable) state machine. */
export class TemplateError extends LocalPipelineError {
  override name = 'TemplateError';
}

/** A Task state whose resource the runner cannot map to a local function. */
export class UnmappedTaskError extends LocalPipelineError {
  override name = 'UnmappedTaskError';
}

/**
 * An error as a Step Functions task reports it: `name` is the `Error` that Retry and Catch match,
 * `message` the `Cause`. Throw one from `invokeLambda` or `startGlueJob` to raise exactly that
 * (e.g. `new TaskError('Lambda.TooManyRequestsException', 'Rate exceeded')`).
 */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}
