/**
 * `pnpm demo` (`make demo` bootstraps the toolchain first): the whole pipeline on this machine.
 *
 * A moto server stands in for AWS (raw and curated buckets, the secrets `api-credentials/<name>`),
 * the sandbox API for GitHub, Stripe, Hotmart, Socrata and HubSpot (generated data, occasional 429/503), and
 * every other registered source (one made by `pnpm new-source`) against the API double its
 * functions/<name>/double/index.ts exports (a source without one is left out, saying so). The
 * service is packaged (`sls package --stage dev`) and its real state machine executed: the Lambda
 * tasks run the real handlers, the Glue task the real curate.py on local Spark. Three rounds:
 *   1. the first load;
 *   2. a rerun with nothing changed: the watermarks keep it small, the curated counts stay;
 *   3. after the APIs changed (records updated and added): only the changes come in.
 * After each round it prints the run report the curate job wrote (`_runs/<runId>.json` in the
 * curated bucket): per stream landed, inserted, updated, unchanged, rejected, drift and checks.
 * Options: --keep (leave moto and the sandbox running at the end, until Ctrl-C), --records <n>.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { packageService, TEMPLATE_FILE } from '@tributary/local-pipeline';
import type { ServedReport, SourceName } from '@tributary/sandbox';
import {
  checkPrerequisites,
  fmt,
  formatRunReport,
  type LocalPipelineResult,
  type LocalStack,
  localPipelineInput,
  PipelineProgress,
  paths,
  type RunReport,
  readRunReport,
  repoRoot,
  runLocalPipeline,
  seconds,
  startLocalStack,
  stopCurateProcesses,
  table,
} from '@tributary/sandbox/local';

const DEMO_DIR = join(repoRoot, '.local/demo');
const WAREHOUSE = join(DEMO_DIR, 'warehouse');
const RAW_COPY = join(DEMO_DIR, 'raw-zone');
const DATABASE = 'tributary_dev';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = '') => console.log(s);
const rel = (p: string) => relative(process.cwd(), p) || '.';

let stack: LocalStack | undefined;
let stopping = false;

async function cleanup(): Promise<void> {
  stopCurateProcesses('SIGTERM');
  await stack?.stop();
  stack = undefined;
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) {
    stopCurateProcesses('SIGKILL');
    process.exit(130);
  }
  stopping = true;
  say(`\n${signal}: stopping every process the demo started…`);
  cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  say(bold('Tributary demo: REST APIs → S3 raw zone → Glue/Iceberg curated zone, all on this machine'));
  const missing = checkPrerequisites();
  if (missing.length > 0) {
    say('\nMissing prerequisites:');
    for (const m of missing) say(`  ✗ ${m.what}\n      → ${m.fix}`);
    return 1;
  }
  say('  ✓ prerequisites: Node 24, .venv (moto, pyspark), java, Iceberg jar');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const records = Number(option('records') ?? 1000);
  await rm(DEMO_DIR, { recursive: true, force: true });
  await mkdir(WAREHOUSE, { recursive: true });

  let t = performance.now();
  say('\n▸ packaging the service (sls package --stage dev; reused while its inputs are unchanged)…');
  const packaged = await packageService({ stage: 'dev', cache: true });
  // The package cache is shared (tests package too): keep this run's template where it stays put.
  const packageDir = join(DEMO_DIR, 'package');
  await mkdir(packageDir, { recursive: true });
  await copyFile(join(packaged.dir, TEMPLATE_FILE), join(packageDir, TEMPLATE_FILE));
  say(
    `  ✓ ${packaged.cached ? 'reused' : 'packaged'} ${rel(packaged.dir)} in ${seconds(performance.now() - t)}`,
  );

  t = performance.now();
  stack = await startLocalStack({
    sandbox: {
      records: { github: Math.ceil(records / 2), stripe: records, hotmart: records, socrata: records * 12 },
      socrataDatasets: ['service_requests=erm2-nwe9', 'permits=ipu4-2q9a'],
    },
    doubleRecords: records,
  });
  const { sandbox } = stack;
  say(
    `  ✓ moto server (local AWS) on ${stack.moto.endpoint}: buckets ${stack.rawBucket}, ${stack.curatedBucket}`,
  );
  say(
    `    secrets ${[...Object.keys(sandbox.credentials), ...stack.doubles.filter((d) => d.secret).map((d) => d.source)].map((s) => `api-credentials/${s}`).join(', ')}`,
  );
  say(
    `  ✓ sandbox API on ${sandbox.url}: GitHub (${sandbox.githubRepositories.join(', ')}), Stripe, Hotmart, Socrata, HubSpot`,
  );
  say(dim('    seeded data, thousands of records per stream, occasional 429 (Retry-After: 1) and 503'));
  for (const d of stack.doubles) {
    say(
      `  ✓ ${d.source}: its own API double (${d.module}) on ${d.url}, ${fmt(d.records)} records per stream`,
    );
  }
  for (const l of stack.leftOut) say(`  – ${l.source} left out of the demo: ${l.reason}`);
  const input = localPipelineInput(stack.registered, stack.leftOut);

  const rounds: Array<{ title: string; result: LocalPipelineResult; served: ServedReport; ms: number }> = [];
  const plan = [
    { title: 'Round 1: first load', advance: false },
    { title: 'Round 2: rerun, nothing changed at the APIs', advance: false },
    { title: 'Round 3: the APIs changed (records updated and added): incremental pickup', advance: true },
  ];
  for (const [i, step] of plan.entries()) {
    if (stopping) return 130;
    if (step.advance) sandbox.advance();
    const before = sandbox.served();
    const executionName = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}-r${i + 1}`;
    say(`\n${bold(`▸ ${step.title}`)}  ${dim(`(execution ${executionName})`)}`);
    const progress = new PipelineProgress((line) => say(line));
    const curateLog: string[] = [];
    progress.startTicker(3000);
    const started = performance.now();
    const result = await runLocalPipeline({
      stack,
      packageDir,
      input,
      executionName,
      warehouse: WAREHOUSE,
      onLog: (line) => progress.onLog(line),
      onInvoke: (info) => progress.onInvoke(info),
      onInvocation: (record) => progress.onInvocation(record),
      onCurateStart: () => say('  glue     curate.py on local Spark (Iceberg, Hadoop catalog)…'),
      onCurateLog: (line) => curateLog.push(line),
    });
    progress.stopTicker();
    if (stopping) return 130;
    const logFile = join(DEMO_DIR, `curate-round-${i + 1}.log`);
    await writeFile(logFile, `${curateLog.join('\n')}\n`);
    const ms = performance.now() - started;
    rounds.push({ title: step.title, result, served: diffServed(sandbox.served(), before), ms });
    const runId = result.curate?.args['--run_id'];
    const report = runId ? await readRunReport(stack.curatedBucket, runId) : undefined;
    printRound(result, progress, ms, report);
    if (result.curate) say(dim(`  curate.py's log: ${rel(logFile)}`));
  }

  printCuratedCheck(rounds, stack);
  await copyRawZone(stack);
  printWhere(stack);

  const failed = rounds.some((r) => r.result.execution.status !== 'SUCCEEDED');
  if (process.argv.includes('--keep')) {
    say(
      `\n${bold('Still running')} (--keep): moto on ${stack.moto.endpoint}, sandbox on ${sandbox.url}. Ctrl-C stops both.`,
    );
    say(
      `  e.g. AWS_ENDPOINT_URL=${stack.moto.endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \\`,
    );
    say(`       aws s3 ls --recursive s3://${stack.rawBucket}/github/issues/`);
    await new Promise(() => {});
  }
  return failed ? 1 : 0;
}

function printRound(
  result: LocalPipelineResult,
  progress: PipelineProgress,
  ms: number,
  report?: { uri: string; report: RunReport },
): void {
  const { execution } = result;
  say(
    `\n  execution ${execution.status === 'SUCCEEDED' ? '✓ SUCCEEDED' : `✗ ${execution.status}`} in ${seconds(ms)}`,
  );
  if (execution.error) say(`  ${execution.error}: ${execution.cause ?? ''}`);
  const rows = [...progress.streams.values()]
    .sort((a, b) => `${a.source}/${a.stream}`.localeCompare(`${b.source}/${b.stream}`))
    .map((p) => {
      const s = progress.sources.get(p.source);
      const duration = p.startedAt && p.endedAt ? seconds(p.endedAt - p.startedAt) : '-';
      return [p.source, p.stream, p.records, p.pages, p.retries, s?.invocations ?? 0, duration];
    });
  say('');
  say(indent(table(['source', 'stream', 'records', 'pages', 'retries', 'invocations', 'duration'], rows)));
  const curate = result.curate;
  if (!curate) return;
  if (curate.error) {
    say(`\n  glue ✗ ${curate.error}`);
    const tail = (curate.stderrTail ?? '').trim().split('\n').slice(-12);
    if (tail.length) say(dim(tail.map((l) => `    ${l}`).join('\n')));
    if (report) say(`\n${indent(formatRunReport(report.report, report.uri))}`);
    return;
  }
  if (report) {
    say(`\n  curated in ${seconds(curate.durationMs)} (${DATABASE}, warehouse ${rel(WAREHOUSE)})`);
    say(indent(formatRunReport(report.report, report.uri)));
    return;
  }
  const tables = (curate.summary?.tables ?? []) as Array<Record<string, unknown>>;
  const curatedRows = tables.map((tb) => [
    String(tb.table ?? `${tb.source}_${tb.stream}`)
      .split('.')
      .at(-1) ?? '',
    String(tb.disposition ?? ''),
    num(tb.rowsRead ?? tb.rowsInRun),
    num(tb.rowsInserted),
    num(tb.rowsUpdated),
    num(tb.rowsTotal),
  ]);
  say(`\n  curated in ${seconds(curate.durationMs)} (${DATABASE}, warehouse ${rel(WAREHOUSE)}):`);
  say(indent(table(['table', 'write', 'rows read', 'inserted', 'updated', 'rows in table'], curatedRows)));
}

const num = (v: unknown): number | string => (typeof v === 'number' ? v : '-');
const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

/** What the sandbox served during one round: unique keys per stream, as a count. */
function diffServed(after: ServedReport, before: ServedReport): ServedReport {
  const out: ServedReport = {};
  for (const [source, s] of Object.entries(after)) {
    const b = before[source as SourceName];
    out[source as SourceName] = {
      ...s,
      requests: s.requests - (b?.requests ?? 0),
      faults: s.faults - (b?.faults ?? 0),
    };
  }
  return out;
}

/** The invariant the e2e tests assert, shown: curated rows = unique records the APIs served. */
function printCuratedCheck(
  rounds: Array<{ result: LocalPipelineResult; served: ServedReport }>,
  local: LocalStack,
): void {
  const last = rounds.at(-1);
  const tables = new Map<string, number | undefined>();
  for (const r of rounds) {
    for (const tb of (r.result.curate?.summary?.tables ?? []) as Array<Record<string, unknown>>) {
      if (typeof tb.rowsTotal === 'number') tables.set(`${tb.source}/${tb.stream}`, tb.rowsTotal);
    }
  }
  if (!last) return;
  say(`\n${bold('▸ Curated rows vs unique records the sandbox served (all rounds)')}`);
  const served = local.sandbox.served();
  const rows: Array<Array<string | number>> = [];
  for (const [source, s] of Object.entries(served)) {
    for (const [stream, st] of Object.entries(s.streams)) {
      const curated = tables.get(`${source}/${stream}`);
      rows.push([
        `${source}_${stream}`,
        st.unique,
        curated ?? '-',
        curated === undefined ? '?' : curated === st.unique ? '✓' : '✗',
      ]);
    }
  }
  say(indent(table(['table', 'served (unique)', 'curated rows', ''], rows)));
  const faults = Object.values(served).reduce((n, s) => n + s.faults, 0);
  say(dim(`  the sandbox injected ${faults} faults (429/503) over the three rounds; every one was retried`));
}

/** Moto keeps S3 in memory: a copy of the raw zone stays in .local/demo/raw-zone after the demo. */
async function copyRawZone(local: LocalStack): Promise<void> {
  const s3 = new S3Client({ forcePathStyle: true });
  let token: string | undefined;
  let count = 0;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: local.rawBucket, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const body = await s3.send(new GetObjectCommand({ Bucket: local.rawBucket, Key: o.Key }));
      const file = join(RAW_COPY, o.Key!);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await body.Body!.transformToByteArray());
      count++;
    }
    token = page.NextContinuationToken;
  } while (token);
  s3.destroy();
  say(dim(`\n  copied ${fmt(count)} raw-zone objects from the emulator to ${rel(RAW_COPY)}`));
}

function printWhere(local: LocalStack): void {
  const py = rel(paths.python);
  const reader = rel(paths.readCurated);
  say(`\n${bold('▸ Where the output is')}`);
  say(
    `  raw zone   s3://${local.rawBucket}/<source>/<stream>/import_year=…/run_id=<run>/part-00000-<attempt>.ndjson.gz + _manifest.json`,
  );
  say(
    `             (in the emulator; a copy in ${rel(RAW_COPY)}), watermarks under _state/<source>/<stream>.json`,
  );
  say(
    `  curated    Iceberg tables ${DATABASE}.<source>_<stream> in ${rel(WAREHOUSE)} (Hadoop catalog "local")`,
  );
  say('\n  Look at it:');
  say(`    find ${rel(RAW_COPY)}/github/issues -name '*.gz' | head -1 | xargs zcat | head -1`);
  say(`    ${py} ${reader} --warehouse ${rel(WAREHOUSE)}`);
  say(`    ${py} ${reader} --warehouse ${rel(WAREHOUSE)} \\`);
  say(
    `      --sql "SELECT number, title, state, updated_at FROM local.${DATABASE}.github_issues ORDER BY updated_at DESC LIMIT 5"`,
  );
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(`\n✗ demo failed: ${(error as Error)?.stack ?? String(error)}`);
    await cleanup();
    process.exit(1);
  });
