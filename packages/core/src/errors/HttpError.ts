import { type ErrorOptions, TributaryError } from './TributaryError.ts';

export interface HttpErrorOptions extends ErrorOptions {
  status: number;
  /** The URL, secrets stripped. */
  url: string;
  /** The start of the body, secrets stripped. */
  snippet: string;
}

/** The API answered with a status that retrying cannot fix (404, 422, 403 without rate-limit signs…). */
export class HttpError extends TributaryError {
  override readonly name: string = 'HttpError';
  readonly status: number;
  readonly url: string;
  readonly snippet: string;

  constructor(message: string, options: HttpErrorOptions) {
    super(message, options);
    this.status = options.status;
    this.url = options.url;
    this.snippet = options.snippet;
  }
}

/** Credentials refused (401 after one refresh, 403 from a token endpoint, a token response without a token). */
export class AuthError extends HttpError {
  override readonly name = 'AuthError';
}
