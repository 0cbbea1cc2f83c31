/**
 * Reads one required environment variable when a source module loads, e.g. `SOCRATA_DOMAIN`.
 * Missing, empty, or not matching `pattern`: a ConfigurationError naming the variable and the
 * expected shape.
 */
import { ConfigurationError } from '../../errors.ts';

export interface EnvValueOptions {
  pattern?: RegExp;
  /** The expected shape, for error messages, e.g. `data.cityofnewyork.us`. */
  example?: string;
  /** Where to read from. @default process.env */
  env?: Record<string, string | undefined>;
}

export function envValue(name: string, options: EnvValueOptions = {}): string {
  const value = (options.env ?? process.env)[name]?.trim();
  const shape = options.example ? ` (e.g. ${options.example})` : '';
  if (!value) throw new ConfigurationError(`environment variable ${name} is required${shape}`);
  if (options.pattern && !options.pattern.test(value)) {
    throw new ConfigurationError(
      `environment variable ${name}: "${value}" is not of the expected form${shape}`,
    );
  }
  return value;
}
