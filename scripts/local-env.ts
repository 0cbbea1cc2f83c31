/**
 * `pnpm local:up`: the local emulator and the sandbox API, for `sls invoke local` by hand.
 *
 * Starts a moto server (S3, Secrets Manager, Glue catalog) with the raw and curated buckets and the
 * secrets `api-credentials/<source>` as a deployment has them, and the sandbox API serving the
 * repositories and datasets that serverless.yml's default params name. Prints the environment to
 * export (also written to .local/local-env.sh), then stays up until Ctrl-C.
 *
 *   pnpm local:up [--moto-port 4566] [--sandbox-port 8787] [--records 500] [--no-faults]
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type LocalStack, repoRoot, startLocalStack } from '@tributary/sandbox/local';

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
  stack = await startLocalStack({
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
  const env: Record<string, string> = {
    ...stack.awsEnv,
    TARGET_S3_BUCKET_NAME: stack.rawBucket,
    COORDINATION_TABLE: stack.coordinationTable,
    API_BASE_URL: sandbox.url,
    AUTH_TOKEN_URL: sandbox.tokenUrl,
  };
  const lines = Object.entries(env).map(([k, v]) => `export ${k}=${v}`);
  const file = join(repoRoot, '.local/local-env.sh');
  await mkdir(join(repoRoot, '.local'), { recursive: true });
  await writeFile(file, `# written by pnpm local:up (${new Date().toISOString()})\n${lines.join('\n')}\n`);

  console.log(`moto (local AWS)  ${stack.moto.endpoint}`);
  console.log(`  buckets         ${stack.rawBucket} (raw), ${stack.curatedBucket} (curated)`);
  console.log(`  coordination    ${stack.coordinationTable} (DynamoDB)`);
  console.log(
    '  secrets         api-credentials/github, api-credentials/stripe, api-credentials/hotmart, api-credentials/socrata',
  );
  console.log(`sandbox API       ${sandbox.url}`);
  console.log(`  GitHub repos    ${repositories.join(', ')}; Socrata datasets ${datasets.join(', ')}`);
  console.log(`\nIn another shell (or: source ${relative(process.cwd(), file)}):\n`);
  console.log(lines.join('\n'));
  console.log('\nthen, e.g.:');
  console.log(
    `  pnpm exec sls invoke local -f github --stage dev --data '{"runId":"2026-11-23T06-00-00Z-local"}'`,
  );
  console.log(`  aws s3 ls --recursive s3://${stack.rawBucket}/github/`);
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
