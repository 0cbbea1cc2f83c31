/**
 * `pnpm local:invoke <source>`: `sls invoke local` of one source against `pnpm local:up`, for a human.
 *
 *   pnpm local:invoke <source> [--data '<event json>'] [--follow] [--raw]
 *   pnpm local:invoke <source> --continue [--follow]
 *
 * Shows the handler's log lines short (progress per stream, retries, errors), ends with a table
 * per stream (records, pages, bytes, status). A `partial` result is saved as the next event in
 * `.local/continuation-<source>.json` and the command to go on is printed; `--continue` invokes
 * with it, `--follow` invokes again on every `partial` until the run completes. Run it in the shell
 * where `.local/local-env.sh` was sourced. `--raw` passes sls's output through unformatted.
 */
import { parseArgs } from 'node:util';
import { LocalInvokeError, localInvoke } from '@tributary/sandbox/local';

const usage =
  "usage: pnpm local:invoke <source> [--data '<event json>'] [--continue] [--follow] [--raw] [--dir <dir>] [--stage dev]";

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      continue: { type: 'boolean', default: false },
      follow: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      dir: { type: 'string' },
      stage: { type: 'string', default: 'dev' },
    },
  });
  const source = positionals[0];
  if (!source || positionals.length > 1) throw new LocalInvokeError(usage);
  let event: Record<string, unknown> | undefined;
  if (values.data !== undefined) {
    try {
      event = JSON.parse(values.data) as Record<string, unknown>;
    } catch (error) {
      throw new LocalInvokeError(
        `--data is not JSON (${(error as Error).message}): give the handler event, e.g. '{"runId":"2026-11-23T06-00-00Z-local"}'`,
      );
    }
  }
  if (values.continue && event) throw new LocalInvokeError('give --data or --continue, not both');
  await localInvoke({
    source,
    event,
    resume: values.continue,
    follow: values.follow,
    raw: values.raw,
    stage: values.stage,
    ...(values.dir ? { dir: values.dir } : {}),
  });
}

main().catch((error: unknown) => {
  const e = error as Error;
  console.error(
    `local:invoke: ${e instanceof LocalInvokeError || e.name === 'TypeError' ? e.message : e.stack}`,
  );
  process.exit(1);
});
