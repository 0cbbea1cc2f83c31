import type { ErrorOptions } from './TributaryError.ts';
import { withFacts } from './withFacts.ts';

/** What an HTTP error carries besides its message. */
export interface HttpFacts {
  status: number;
  /** The URL, secrets stripped. */
  url: string;
  /** The start of the body, secrets stripped. */
  snippet: string;
}

export type HttpErrorOptions = ErrorOptions & HttpFacts;

/** The API answered with a status that retrying cannot fix (404, 422, 403 without rate-limit signs…). */
export class HttpError extends withFacts<HttpFacts>({ status: true, url: true, snippet: true }) {
  override readonly name: string = 'HttpError';
}

/** Credentials refused (401 after one refresh, 403 from a token endpoint, a token response without a token). */
export class AuthError extends HttpError {
  override readonly name = 'AuthError';
}
