import { type ErrorOptions, TributaryError } from './TributaryError.ts';

/** A source definition that does not validate; raised when the module loads. Lists every problem. */
export class DefinitionError extends TributaryError {
  override readonly name = 'DefinitionError';
  /** One line per problem, each starting with its path (`streams.issues.paginator.type: …`). */
  readonly problems: string[];

  constructor(message: string, options: ErrorOptions & { problems?: string[] } = {}) {
    super(message, options);
    this.problems = options.problems ?? [message];
  }
}

/** The handler event does not match the contract; names the field. */
export class EventValidationError extends TributaryError {
  override readonly name = 'EventValidationError';
}

/** A required environment variable is missing or malformed; names it. */
export class ConfigurationError extends TributaryError {
  override readonly name = 'ConfigurationError';
}

/** The secret, or a key in it, is missing; names the secret and the key, never a value. */
export class SecretError extends TributaryError {
  override readonly name = 'SecretError';
}

/** A `{placeholder}` had no value at run time (e.g. a parent record without the field); names it. */
export class TemplateError extends TributaryError {
  override readonly name = 'TemplateError';
}
