/**
 * Reads a comma-separated list from an environment variable when a source module loads, e.g.
 * `GITHUB_REPOSITORIES=octo/hello,octo/world`. Each entry is trimmed; empty entries are skipped.
 * A missing or empty variable, or an entry that does not match `pattern`, is a ConfigurationError
 * naming the variable, the entry and the expected shape.
 */
import { ConfigurationError } from '../../errors.ts';

export interface EnvListOptions {
  /** Each entry must match it. */
  pattern?: RegExp;
  /** The expected shape, for error messages, e.g. `owner/repo`. */
  example?: string;
  /** Where to read from. @default process.env */
  env?: Record<string, string | undefined>;
}

export function envList(name: string, options: EnvListOptions = {}): string[] {
  const env = options.env ?? process.env;
  const shape = options.example ? ` (${options.example}[,${options.example}…])` : '';
  const raw = env[name];
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) {
    throw new ConfigurationError(`environment variable ${name} must list at least one entry${shape}`);
  }
  if (options.pattern) {
    for (const entry of entries) {
      if (!options.pattern.test(entry)) {
        throw new ConfigurationError(
          `environment variable ${name}: entry "${entry}" is not of the form ${options.example ?? options.pattern}`,
        );
      }
    }
  }
  return entries;
}
