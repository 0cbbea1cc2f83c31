/**
 * `pnpm check <source> [--stream <stream>]`: reads the first page of each stream (or the one named)
 * against the configured API, real or local, and prints what a run would see (docs/local.md,
 * "Check a source before deploying"). Writes nothing. Exit status: 0 nothing definitely wrong, 1 a
 * definite misconfiguration (the typed error's message is printed), 2 a stream could not be checked
 * (the API failed in a way a retry may mend).
 */
import { parseArgs } from 'node:util';
import { CheckUsageError, checkSource } from '@tributary/sandbox/local';

const usage = 'usage: pnpm check <source> [--stream <stream>]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { stream: { type: 'string', short: 's' } },
  });
  const source = positionals[0];
  if (!source || positionals.length > 1) throw new CheckUsageError(usage);
  const result = await checkSource({ source, ...(values.stream ? { stream: values.stream } : {}) });
  console.log(result.output);
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    console.error(
      `check: ${e instanceof CheckUsageError || e.name === 'TypeError' ? e.message : `${e.name}: ${e.message}`}`,
    );
    process.exit(e instanceof CheckUsageError ? 64 : 1);
  },
);
