/**
 * The base of an error that carries named facts beside its message (an HTTP status, the attempts
 * made, the secret's name): each fact is declared once, as a field of `Facts`, with its doc, and
 * `withFacts` makes the class that takes them in its options and keeps each on the error as a field
 * of the same name. The keys, which copy them at run time, are checked against `Facts` by the
 * compiler: all of them, nothing else. Only the facts are kept: nothing else in the options (a
 * header, a body) reaches the error, its logs or Lambda's error report.
 *
 * ```ts
 * export interface SecretFacts { secretName: string }
 * export class RefreshTokenLostError extends withFacts<SecretFacts>({ secretName: true }) { … }
 * ```
 */
import { type ErrorOptions, TributaryError } from './TributaryError.ts';

/** Every key of `Facts`, each once. */
export type FactKeys<Facts> = { readonly [K in keyof Facts]-?: true };

/** The class `withFacts` makes: TributaryError's statics, its options `Facts`, its instances carrying them. */
export type ErrorWithFacts<Facts> = Omit<typeof TributaryError, 'prototype'> &
  (abstract new (
    message: string,
    options: ErrorOptions & Facts,
  ) => TributaryError & Readonly<Facts>);

export function withFacts<Facts extends object>(keys: FactKeys<Facts>): ErrorWithFacts<Facts> {
  const names = Object.keys(keys) as (keyof Facts)[];
  abstract class ErrorCarryingFacts extends TributaryError {
    constructor(message: string, options: ErrorOptions & Facts) {
      super(message, options);
      const self = this as unknown as Facts;
      for (const name of names) self[name] = options[name];
    }
  }
  return ErrorCarryingFacts as unknown as ErrorWithFacts<Facts>;
}
