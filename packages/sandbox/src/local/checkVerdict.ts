/**
 * How `pnpm check` judges a stream: its errors, the verdict of a failed first page, and the hints it
 * gives for a records path that is not there (the body's keys, a did-you-mean).
 */
import { AuthError, HttpError, MalformedResponseError, TributaryError } from '@tributary/core/errors';
import type { ColumnPreview } from './previewColumns.ts';

/** A definite misconfiguration found by `pnpm check` (the exit status is 1). */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
}

/** `pnpm check` could not be run as asked: an unknown source or stream, a module without a definition. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
}

export type StreamVerdict = 'ok' | 'misconfigured' | 'unchecked';

export interface StreamCheck {
  stream: string;
  verdict: StreamVerdict;
  /** The sections printed for the stream, in order. */
  lines: string[];
  /** The typed error's name and message, on `misconfigured` and `unchecked`. */
  error?: { name: string; message: string };
  records: number;
  columns?: ColumnPreview;
}

/** Levenshtein distance, for the did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** The keys a `MalformedResponseError` of a missing records path lists (`its keys are [...]`). */
export function keysListed(message: string): string[] | undefined {
  const match = /its keys are \[(.*?)(, … \(\d+ keys\))?\]/.exec(message);
  if (!match) return undefined;
  try {
    return JSON.parse(`[${match[1]}]`) as string[];
  } catch {
    return undefined;
  }
}

export function didYouMean(path: string, keys: readonly string[]): string | undefined {
  const missing = path.split('.');
  const wanted = missing[missing.length - 1]!.toLowerCase();
  const ranked = keys
    .map((k) => ({ k, d: distance(wanted, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(wanted.length / 3)) || k.toLowerCase().includes(wanted))
    .sort((a, b) => a.d - b.d);
  return ranked[0]?.k;
}

export const isMissingRecords = (error: Error) =>
  error instanceof MalformedResponseError && /^(no records at|expected an array)/.test(error.message);

/**
 * A failed first page: a definite misconfiguration (a records path that is not there, a 4xx not
 * retried — 401/403 refused credentials, 404 a wrong path, 400 a wrong param —, any other error that
 * a retry does not mend: the environment, the secret, a template), or not checked (retries
 * exhausted, a 5xx the API failed with, a network failure).
 */
export function verdictOf(error: Error): StreamVerdict {
  if (isMissingRecords(error)) return 'misconfigured';
  if (error instanceof HttpError)
    return error instanceof AuthError || error.status < 500 ? 'misconfigured' : 'unchecked';
  return error instanceof TributaryError && !error.retryable ? 'misconfigured' : 'unchecked';
}

/** The parent's first page failed: the child stream cannot be checked. */
export class ParentUnreadable extends Error {
  constructor(
    readonly parent: string,
    override readonly cause: unknown,
  ) {
    super(`the parent stream ${parent} could not be read`);
  }
}
