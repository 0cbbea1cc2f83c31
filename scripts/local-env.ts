/**
 * `pnpm local:up`: the local emulator and the sandbox API, for `sls invoke local` by hand.
 *
 * Starts a moto server (S3, Secrets Manager, Glue catalog) with the raw and curated buckets, the
 * secrets `api-credentials/<source>` and the Glue database `tributary_dev` as a deployment has them, and the sandbox API serving the
 * repositories and datasets that serverless.yml's default params name. Prints the environment to
 * export (also written to .local/local-env.sh), then stays up until Ctrl-C.
 *
 *   pnpm local:up [--moto-port 4566] [--sandbox-port 8787] [--records 500] [--no-faults]
 *                 [--secret <source>=<json>] [--base-url <source>=<url>] [--token-url <source>=<url>]
 *
 * A source the sandbox does not serve (one made by `pnpm new-source`, with its loopback double
 * running) gets its secret `api-credentials/<source>` from `--secret`, and its API and OAuth2
 * token endpoint from `--base-url`/`--token-url`, exported as `<SOURCE>_API_BASE_URL` and
 * `<SOURCE>_AUTH_TOKEN_URL` (upper case, `-` as `_`); each flag repeats, one per source.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  type LocalStack,
  localShellEnv,
  parseSourceFlags,
  repoRoot,
  type SourceFlags,
  startLocalStack,
} from '@tributary/sandbox/local';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** A default param of serverless.yml (`params.default.<name>`), so the sandbox serves what the functions ask. */
function serverlessParam(name: string, fallback: string): string {
  const text = readFileSync(join(repoRoot, 'serverless.yml'), 'utf8');
  return new RegExp(`^\\s+${name}:\\s*(\\S+)\\s*$`, 'm').exec(text)?.[1] ?? fallback;
}

let stack: LocalStack | undefined;

async function main(): Promise<void> {
  const repositories = serverlessParam('githubRepositories', 'octocat/Hello-World').split(',');
  const datasets = serverlessParam('socrataDatasets', 'permits=ipu4-2q9a').split(',');
  let flags: SourceFlags;
  try {
    flags = parseSourceFlags(process.argv.slice(2));
  } catch (error) {
    console.error(`local:up: ${(error as Error).message}`);
    process.exit(2);
  }
  stack = await startLocalStack({
    secrets: flags.secrets,
    motoPort: Number(option('moto-port', '4566')),
    sandbox: {
      port: Number(option('sandbox-port', '8787')),
      records: Number(option('records', '500')),
      githubRepositories: repositories,
      socrataDatasets: datasets,
      ...(process.argv.includes('--no-faults') ? { faults: false } : {}),
    },
  });
  const { sandbox } = stack;
  const env = localShellEnv(stack, flags);
  const lines = Object.entries(env).map(([k, v]) => `export ${k}=${v}`);
  const file = join(repoRoot, '.local/local-env.sh');
  await mkdir(join(repoRoot, '.local'), { recursive: true });
  await writeFile(file, `# written by pnpm local:up (${new Date().toISOString()})\n${lines.join('\n')}\n`);

  console.log(`moto (local AWS)  ${stack.moto.endpoint}`);
  console.log(`  buckets         ${stack.rawBucket} (raw), ${stack.curatedBucket} (curated)`);
  console.log(`  Glue database   ${stack.glueDatabase} (the raw tables' partitions land here)`);
  console.log(`  coordination    ${stack.coordinationTable} (DynamoDB)`);
  console.log(
    `  secrets         ${['github', 'stripe', 'hotmart', 'socrata']
      .map((s) => `api-credentials/${s}`)
      .concat(Object.keys(flags.secrets))
      .join(', ')}`,
  );
  console.log(`sandbox API       ${sandbox.url}`);
  console.log(`  GitHub repos    ${repositories.join(', ')}; Socrata datasets ${datasets.join(', ')}`);
  console.log(`\nIn another shell (or: source ${relative(process.cwd(), file)}):\n`);
  console.log(lines.join('\n'));
  console.log('\nthen, e.g.:');
  console.log(
    `  pnpm exec sls invoke local -f github --stage dev --data '{"runId":"2026-11-23T06-00-00Z-local"}'`,
  );
  console.log('  pnpm local:invoke github --follow   # the same for a human, following partial results');
  console.log(`  aws s3 ls --recursive s3://${stack.rawBucket}/github/`);
  console.log(
    '\nA source of your own (e.g. from pnpm new-source), with its double running: restart with\n' +
      "  pnpm local:up --secret <source>=<json of its secret's keys> --base-url <source>=<its double's URL>" +
      ' [--token-url <source>=<its OAuth2 token URL>]\n' +
      '  (exported as <SOURCE>_API_BASE_URL / <SOURCE>_AUTH_TOKEN_URL, upper case, "-" as "_")',
  );
  console.log('\nCtrl-C stops both.');
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  console.log(`\n${signal}: stopping moto and the sandbox…`);
  await stack?.stop();
  process.exit(0);
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
main().catch(async (error: unknown) => {
  console.error(`local:up failed: ${(error as Error).message}`);
  await stack?.stop();
  process.exit(1);
});
