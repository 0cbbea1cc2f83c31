/** Renders one bench run as the markdown table printed and saved to bench/results/<timestamp>.md. */
import { type BaselineResult, baselineLines } from '../baseline/report.ts';
import type { BundlesResult } from '../bundles/runBundles.ts';
import { type CostRow, costPerMillion, glueCost, loadPrices, type PriceList } from '../cost/cost.ts';
import type { GlueResult } from '../glue/runGlue.ts';
import type { FloorResult } from '../ingest/runFloor.ts';
import type { SizeResult } from '../ingest/runIngest.ts';
import { MB, median } from '../lib/stats.ts';
import type { PeerRun } from '../peers/runPeers.ts';
import type { SmallResult } from '../small/runSmall.ts';
import { BUNDLE_LIMIT, type TransportResult, WITHIN } from '../transport/runTransport.ts';
import { type Ratio, ratios, type Target, targets } from './targets.ts';

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Each part's wall time and the load average (1 min) when it ended, in the order run. */
  parts?: { part: string; seconds: number; loadAverage: number }[];
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** 1, 5 and 15 min: the bench shares the machine with whatever else runs. */
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
  };
  commit: string;
  options: Record<string, unknown>;
  ingest?: SizeResult[];
  floor?: FloorResult;
  peers?: PeerRun[];
  small?: SmallResult;
  transport?: TransportResult;
  /** Why a peer was not measured (its setup failed, or no part needed it). */
  peersNotMeasured?: Record<string, string>;
  bundles?: BundlesResult;
  /** `--baseline <ref>`: the code at that ref measured beside this run's (bench/baseline/). */
  baseline?: BaselineResult;
  glue?: GlueResult;
  /** Parts that failed, with the error. */
  errors?: Partial<Record<'ingest' | 'floor' | 'peers' | 'bundles' | 'small' | 'transport' | 'glue', string>>;
  /** A Glue figure from an earlier run, used by the cost table when this run measured none. */
  previousGlue?: GlueResult & { from: string };
  ratios: Ratio[];
  targets: Target[];
  cost?: CostTable;
}

export interface CostTable {
  prices: Pick<PriceList, 'asOf' | 'statement' | 'region' | 'model'>;
  rows: (CostRow & { measuredAt: string })[];
  glue?: { dpuSeconds: number; usd: number; from: string; wallSeconds: number; records: number };
}

/** Cost per 1M records of what this run measured, priced with bench/prices.json. */
export function costTable(
  run: Omit<BenchRun, 'ratios' | 'targets' | 'cost'>,
  prices = loadPrices(),
): CostTable {
  const rows: CostTable['rows'] = [];
  const large = run.ingest?.at(-1);
  for (const name of ['tributary', 'naive'] as const) {
    const c = large?.contenders[name];
    if (!c?.ok || !large) continue;
    rows.push({
      ...costPerMillion(
        {
          label: `${name}, instant API`,
          records: large.records,
          wallSeconds: c.wallMs / 1000,
          cpuSeconds: c.cpuMs / 1000,
          ...(c.awsCalls ? { awsCalls: c.awsCalls } : {}),
        },
        prices,
      ),
      measuredAt: `${large.records.toLocaleString('en')} records, ${large.pageSize} a page`,
    });
  }
  for (const p of run.peers ?? []) {
    if (!p.ok) continue;
    rows.push({
      ...costPerMillion(
        {
          label: `${p.contender}, instant API, S3 not counted (local files)`,
          records: p.records,
          wallSeconds: p.wallMs / 1000,
          cpuSeconds: p.cpuMs / 1000,
        },
        prices,
      ),
      measuredAt: `${p.records.toLocaleString('en')} records, ${p.pageSize} a page`,
    });
  }
  const instant = large?.contenders.tributary;
  for (const c of run.floor?.cases ?? []) {
    if (c.case !== 'one-stream') continue;
    for (const r of c.runs) {
      if (!r.ok) continue;
      rows.push({
        ...costPerMillion(
          {
            label: `${r.contender}, real-API floor (${c.case})${r.contender !== 'tributary' ? ', S3 not counted (local files)' : ''}`,
            records: run.floor!.plan.records,
            wallSeconds: r.wallMs / 1000,
            cpuSeconds: r.cpuMs / 1000,
            // The same records land the same way: S3 requests from the instant run's volume when there is
            // one (Tributary's own), else this small run's requests per invocation.
            ...(r.contender === 'tributary' && instant?.awsCalls && large
              ? { awsCalls: instant.awsCalls, callsScale: { callsRecords: large.records } }
              : r.awsCalls
                ? { awsCalls: r.awsCalls, callsScale: 'perInvocation' as const }
                : {}),
          },
          prices,
        ),
        measuredAt:
          `${run.floor!.plan.records.toLocaleString('en')} records, ${run.floor!.plan.api.latencyMs} ms, ${run.floor!.plan.api.limit}/s` +
          (r.contender !== 'tributary' ? '' : instant?.awsCalls ? '; S3 as instant' : '; S3 per invocation'),
      });
    }
  }
  for (const r of run.floor?.fanOut ?? []) {
    if (!r.ok) continue;
    const records = run.floor!.plan.records;
    // Each slice is a Lambda billed for its own duration. S3 as the instant run's (per-slice fixed
    // requests do not scale with records); DynamoDB (one budget's grants, ∝ API requests) from this run.
    const dynamo = {
      'dynamodb.write': r.awsCalls?.['dynamodb.write'] ?? 0,
      'dynamodb.read': r.awsCalls?.['dynamodb.read'] ?? 0,
    };
    const instantS3 = instant?.awsCalls && large;
    const scaleTo = instantS3 ? large.records : records;
    const calls = {
      ...(instantS3 ? instant.awsCalls : r.awsCalls),
      'dynamodb.write': (dynamo['dynamodb.write'] * scaleTo) / records,
      'dynamodb.read': (dynamo['dynamodb.read'] * scaleTo) / records,
    };
    rows.push({
      ...costPerMillion(
        {
          label: `tributary, real-API floor, backfill fan-out of ${r.processes} (${r.processes} Lambdas at once)`,
          records,
          wallSeconds:
            r.perProcess.reduce((sum, p) => sum + (Number.isFinite(p.wallMs) ? p.wallMs : 0), 0) / 1000,
          cpuSeconds: r.cpuMs / 1000,
          awsCalls: calls,
          callsScale: { callsRecords: scaleTo },
          minInvocations: r.processes,
        },
        prices,
      ),
      measuredAt:
        `${records.toLocaleString('en')} records, ${run.floor!.plan.api.latencyMs} ms, ${run.floor!.plan.api.limit}/s; ` +
        `Lambda s = the slices' durations summed${instantS3 ? '; S3 as instant' : ''}`,
    });
  }
  const g = run.glue?.ok ? { ...run.glue, from: 'this run' } : run.previousGlue;
  const out: CostTable = {
    prices: { asOf: prices.asOf, statement: prices.statement, region: prices.region, model: prices.model },
    rows,
  };
  if (g?.ok)
    out.glue = {
      ...glueCost(g.wallSeconds, g.records, prices),
      from: g.from,
      wallSeconds: g.wallSeconds,
      records: g.records,
    };
  return out;
}

export function summarizeRun(run: Omit<BenchRun, 'ratios' | 'targets'>): BenchRun {
  return {
    ...run,
    ratios: ratios(run.ingest ?? []),
    targets: targets(run.ingest ?? [], run.bundles, run.glue, run.floor, run.previousGlue),
    cost: costTable(run),
  };
}

const n = (v: number, d = 2) =>
  Number.isFinite(v) ? v.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a';
/** Safe inside a table cell: one line, no pipes. */
const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '/');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : 'n/a');

export function toMarkdown(run: BenchRun): string {
  const lines: string[] = [];
  lines.push(`# Tributary bench — ${run.startedAt}`, '');
  lines.push(
    `Commit \`${run.commit}\`, Node ${run.machine.node}, ${run.machine.cpus} × ${run.machine.cpuModel}, ` +
      `${run.machine.memoryGiB} GiB RAM; ${n(run.seconds / 60, 1)} min in all. Load average (1, 5, 15 min) ` +
      `${run.machine.loadAverageAtStart.join(', ')} at the start, ${run.machine.loadAverageAtEnd?.join(', ') ?? '?'} at the end ` +
      '(above the core count, other work competed for the CPU: trust CPU figures over wall times).',
    '',
  );
  if (run.parts?.length)
    lines.push(
      `Parts: ${run.parts.map((p) => `${p.part} ${n(p.seconds, 1)} s (load ${n(p.loadAverage, 1)})`).join(', ')}; ` +
        'the rest is start-up (bundling the contenders, moto).',
      '',
    );
  for (const [part, error] of Object.entries(run.errors ?? {}))
    lines.push(`> **${part} failed:** ${cell(error ?? '')}`, '');
  for (const size of run.ingest ?? []) {
    lines.push(
      `## Ingestion: ${size.records.toLocaleString('en')} records`,
      '',
      `${size.pages} pages of ${size.pageSize}, ${n(size.responseBytes / MB, 1)} MB of JSON responses; ` +
        `median of ${size.repetitions} run(s) per contender, each in a fresh process, order rotating.`,
      '',
      '| contender | wall s | CPU s (user+sys) | records / CPU-s | CPU µs / record | MB/s | peak RSS MB | runs ok |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const [name, c] of Object.entries(size.contenders)) {
      if (!c) continue;
      const okRuns = c.runs.filter((r) => r.ok).length;
      const failure = c.runs.find((r) => !r.ok)?.error;
      lines.push(
        `| ${name} | ${n(c.wallMs / 1000)} | ${n(c.cpuMs / 1000)} | ${int(c.recordsPerCpuSecond)} | ${n(c.cpuMicrosPerRecord)} | ` +
          `${n(c.mbPerSecond, 1)} | ${int(c.peakRssBytes / MB)} | ${okRuns}/${c.runs.length}${failure ? ` — ${cell(failure)}` : ''} |`,
      );
    }
    lines.push('');
  }
  if (run.ratios.length) {
    lines.push('## Ratios', '', '| ratio | value |', '| --- | ---: |');
    for (const r of run.ratios) lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${n(r.value)} × |`);
    lines.push('');
  }
  if (run.floor) lines.push(...floorTable(run.floor));
  if (run.peers || run.floor) lines.push(...peersTable(run));
  if (run.cost) lines.push(...costLines(run.cost));
  if (run.bundles) {
    const b = run.bundles;
    lines.push(
      `## Bundles (${b.origin}, ${b.cached ? 'package reused: same inputs' : `${n(b.packageSeconds, 1)} s to package`})`,
      '',
      ...(b.note ? [`> ${b.note}`, ''] : []),
      '| function | bundle KB | zip KB | unzipped KB | cold init ms (start → handler) | import ms | init CPU ms | empty bundle ms | S3-client-only ms | beyond boot ms | beyond S3 client ms | spawn → ready ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const f of b.functions) {
      const ci = f.coldInit;
      lines.push(
        `| ${f.function} | ${n(f.bundleBytes / 1024, 0)} | ${f.zipBytes === null ? '—' : n(f.zipBytes / 1024, 0)} | ${n(f.unzippedBytes / 1024, 0)} | ` +
          (ci.ok
            ? `${n(ci.readyMs, 0)} | ${n(ci.importMs, 0)} | ${n(ci.cpuMs, 0)} | ` +
              (ci.sdkCpuMs === undefined || ci.emptyCpuMs === undefined
                ? '— | — | — | — | '
                : `${n(ci.emptyCpuMs, 0)} | ${n(ci.sdkCpuMs, 0)} | ${n(ci.cpuMs - ci.emptyCpuMs, 0)} | ${n(ci.cpuMs - ci.sdkCpuMs, 0)} | `) +
              `${n(ci.spawnToReadyMs, 0)} |`
            : `failed: ${cell(ci.error ?? '')} | | | | | | | |`),
      );
    }
    lines.push(
      '',
      `Cold init: median of ${b.coldRuns} fresh processes per function, in turn with two baselines (init CPU ms, medians): a bundle that imports nothing (Node's boot and the harness) and one that only builds the S3 client (bench/small/baselineEmpty.ts, baselineSdk.ts, bundled as serverless.yml bundles the functions: CommonJS, minified; same flags and environment). Beyond the S3 client = Tributary's own init.`,
      '',
    );
  }
  if (run.baseline) lines.push(...baselineLines(run.baseline, run.ingest));
  if (run.small) lines.push(...smallLines(run.small, run.bundles));
  if (run.transport) lines.push(...transportLines(run.transport));
  if (run.glue) {
    const g = run.glue;
    lines.push('## Glue curation (local Spark)', '');
    lines.push(
      g.ok
        ? `${g.records.toLocaleString('en')} records: ${n(g.wallSeconds, 1)} s wall, ${int(g.rowsPerSecond)} rows/s ` +
            `(script ${n(g.processSeconds, 1)} s in all, Spark start-up and data generation included).`
        : `Not measured: ${g.error}`,
      '',
    );
  }
  lines.push('## Targets', '', '| target | limit | measured | status |', '| --- | --- | --- | --- |');
  for (const t of run.targets) lines.push(`| ${t.name} | ${t.limit} | ${t.measured} | **${t.status}** |`);
  lines.push('');
  return lines.join('\n');
}

function floorTable(f: FloorResult): string[] {
  const a = f.plan.api;
  const lines = [
    `## The real-API floor: ${f.plan.records.toLocaleString('en')} records, ${a.pageSize} a page`,
    '',
    `The bench API answers each page after ${a.latencyMs} ± ${a.jitterMs} ms (seed ${a.seed}) and admits ${a.limit} ` +
      `requests in any ${a.windowMs} ms window (429 + Retry-After beyond). Floor = requests ÷ limit; ` +
      'one-at-a-time = requests × mean latency (the bound for a client that fetches one page at a time). ' +
      'Burst floor = ⌊(requests − 1) ÷ limit⌋ windows + one latency: the true minimum, since a sliding window ' +
      'admits `limit` requests at once (below the floor by up to one window: large at 20 requests, small at hundreds). ' +
      '`fast-api`: the same limit, the server answering in 20 ± 10 ms: the limit binds, not the latency. ' +
      'Landed = read back from the output and counted (records / distinct keys). One run per case, fresh process.',
    '',
    '| case | contender | requests | floor s | burst floor s | one-at-a-time s | wall s | wall / floor | 429s | most in 1 s | most in flight | landed (records / keys) | CPU s | peak RSS MB | ok |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
  ];
  for (const c of f.cases)
    for (const r of c.runs)
      lines.push(
        `| ${c.case}${c.shards > 1 ? ` (${c.shards})` : ''}${c.latencyMs !== a.latencyMs ? ` (${c.latencyMs} ms)` : ''} | ${r.contender} | ${c.requests} | ${n(c.floorSeconds)} | ${n(c.burstFloorSeconds)} | ${n(c.oneAtATimeSeconds)} | ` +
          `${n(r.wallMs / 1000)} | ${n(r.wallMs / 1000 / c.floorSeconds)} × | ${r.server.rejected429} | ${r.server.maxInWindow} | ` +
          `${r.server.maxConcurrent} | ${r.landed.records} / ${r.landed.distinctKeys} | ${n(r.cpuMs / 1000)} | ` +
          `${int(r.peakRssBytes / MB)} | ${r.ok ? 'yes' : `**failed** — ${cell(r.error ?? '')}`} |`,
      );
  lines.push('');
  if (f.fanOut?.length) lines.push(...fanOutTable(f));
  return lines;
}

function fanOutTable(f: FloorResult): string[] {
  const a = f.plan.api;
  const lines = [
    `### The backfill fan-out: ${f.plan.records.toLocaleString('en')} records in slices, one process per slice, one rate budget`,
    '',
    "A backfill window split into as many slices as processes, all at once (as the state machine's slice Map runs " +
      "them), each process the bundled handler with its slice's event (`window` + `slice: true`), sharing the " +
      "credential's budget through the coordination store (`rateLimit.scope: credential`, DynamoDB on moto), against " +
      `the same server (${a.limit} requests in any ${a.windowMs} ms). Wall = from all processes ready to the last result. ` +
      'Achieved = (arrivals − 1) ÷ (last arrival − first) at the server, as a share of the limit (issue 16: ≥ 90 % with ' +
      '8 processes, 0 × 429). Landed = read back from S3 (records / distinct keys); manifests = slice manifests found.',
    '',
    '| processes (slices) | requests | floor s | burst floor s | one-at-a-time s | wall s | wall / floor | 429s | most in 1 s | most in flight | achieved /s | % of limit | landed (records / keys) | manifests | DynamoDB calls | store round trip p50 / p95 ms | CPU s (all) | peak RSS MB (largest) | ok |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of f.fanOut ?? [])
    lines.push(
      `| ${r.processes} | ${r.requests} | ${n(r.floorSeconds)} | ${n(r.burstFloorSeconds)} | ${n(r.oneAtATimeSeconds)} | ` +
        `${n(r.wallMs / 1000)} | ${n(r.wallMs / 1000 / r.floorSeconds)} × | ${r.server.rejected429} | ${r.server.maxInWindow} | ` +
        `${r.server.maxConcurrent} | ${n(r.achievedPerSecond)} | ${n(100 * r.achievedShare, 1)} % | ` +
        `${r.landed.records} / ${r.landed.distinctKeys} | ${r.manifests} | ${r.awsCalls ? (r.awsCalls['dynamodb.write'] ?? 0) + (r.awsCalls['dynamodb.read'] ?? 0) : 'n/a'} | ` +
        `${r.storeRoundTripMs ? `${n(r.storeRoundTripMs.p50, 0)} / ${n(r.storeRoundTripMs.p95, 0)}` : 'n/a'} | ${n(r.cpuMs / 1000)} | ` +
        `${int(r.peakRssBytes / MB)} | ${r.ok ? 'yes' : `**failed** — ${cell(r.error ?? '')}`} |`,
    );
  lines.push('');
  return lines;
}

const usd = (v: number) => (Number.isFinite(v) ? `$${v < 0.01 ? v.toFixed(5) : v.toFixed(3)}` : 'n/a');

function costLines(c: CostTable): string[] {
  const m = c.prices.model;
  const lines = [
    `## Cost per million records (${c.prices.region}, prices as of ${c.prices.asOf})`,
    '',
    `${cell(c.prices.statement)} Source: \`bench/prices.json\`. Lambda ${m.lambdaMemoryMb} MB ${m.lambdaArchitecture} ` +
      `(${(m.lambdaMemoryMb / m.mbPerVcpu).toFixed(3)} vCPU): duration = max(measured wall, CPU ÷ vCPU share), scaled ` +
      `linearly to 1M records; invocations = duration ÷ (${m.lambdaTimeoutSeconds} − ${m.lambdaSafetyMarginSeconds} s), at least 1. ` +
      'S3 requests counted by the proxy in front of moto during the run, scaled; PUT class includes List. ' +
      `Secrets Manager: ${m.secretsManagerCallsPerInvocation} call per invocation for a source with credentials (the bench source has none: 0). ` +
      `DynamoDB: the coordination store's calls (a shared rate budget: the fan-out rows), counted by the proxy, scaled, ${m.dynamodbUnitsPerCall} request unit each; ` +
      'a single-process run with `scope: invocation` makes none. Step Functions, CloudWatch Logs and data transfer are not priced.',
    '',
    '| contender / scenario | measured at | Lambda s | GB-s | invocations | S3 PUT-class | S3 GET | Secrets Manager | DynamoDB writes / reads | Lambda $ | S3 $ | DynamoDB $ | total $ |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of c.rows)
    lines.push(
      `| ${r.label} | ${r.measuredAt} | ${n(r.lambdaSeconds, 1)}${r.cpuBound ? ' (CPU-bound)' : ''} | ${n(r.gbSeconds, 1)} | ${r.invocations} | ` +
        `${int(r.s3Puts)} | ${int(r.s3Gets)} | ${int(r.secretsCalls)} | ${int(r.dynamodbWrites)} / ${int(r.dynamodbReads)} | ` +
        `${usd(r.lambdaUsd)} | ${usd(r.s3Usd)} | ${usd(r.dynamodbUsd)} | ${usd(r.totalUsd)} |`,
    );
  lines.push(
    '',
    c.glue
      ? `Glue curate of 1M records: ${n(c.glue.dpuSeconds, 0)} DPU-seconds (${m.glueWorkers} × G.1X, ${n(c.glue.wallSeconds, 1)} s on local Spark ` +
          `for ${c.glue.records.toLocaleString('en')} records, ${c.glue.from}; Glue's own start-up not included; 1-minute minimum) = ${usd(c.glue.usd)}.`
      : 'Glue curate: not measured in this run and no earlier run with a Glue figure in bench/results/ (run `pnpm bench --only glue`).',
    '',
  );
  return lines;
}

function peersTable(run: BenchRun): string[] {
  const lines = [
    '## Peers on the same server',
    '',
    'dlt: its `rest_api` source into its `filesystem` destination, **local files** (gzip JSONL), ' +
      '`max_table_nesting = 0` (one row per record, as Tributary lands them). Airbyte: the declarative CDK ' +
      "from a manifest (`peers/airbyte_rest.py`), its RECORD messages written by the bench's script to a local " +
      'gzip JSONL file (no Airbyte destination). Versions pinned in `bench/setup.sh`' +
      `${run.peers?.length ? ` (${run.peers.map((p) => `${p.contender} ${p.version ?? '?'}`).join(', ')})` : ''}; ` +
      'Tributary: its real handler into S3 (moto). CPU of the work only (imports excluded), all threads ' +
      "and child processes. Landed = each one's output read back and counted.",
    '',
    ...Object.entries(run.peersNotMeasured ?? {}).map(([k, v]) => `> ${k} not measured: ${cell(v)}\n`),
    '| scenario | contender | records | wall s | CPU µs / record | peak RSS MB | landed (records / keys) | ok |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const [i, p] of (run.peers ?? []).entries()) {
    const t = run.ingest?.find((s) => s.records === p.records)?.contenders.tributary;
    if (t && i === 0)
      lines.push(
        `| instant, ${p.pageSize} a page | tributary | ${p.records} | ${n(t.wallMs / 1000)} | ${n(t.cpuMicrosPerRecord)} | ` +
          `${int(t.peakRssBytes / MB)} | (handler's count) ${p.records} | ${t.ok ? 'yes' : 'failed'} |`,
      );
    lines.push(
      `| instant, ${p.pageSize} a page | ${p.contender} | ${p.records} | ${n(p.wallMs / 1000)} | ${n((p.cpuMs * 1000) / p.records)} | ` +
        `${int(p.peakRssBytes / MB)} | ${p.landed.records} / ${p.landed.distinctKeys} | ${p.ok ? 'yes' : `**failed** — ${cell(p.error ?? '')}`} |`,
    );
  }
  for (const c of run.floor?.cases ?? [])
    for (const r of c.runs)
      lines.push(
        `| floor, ${c.case} | ${r.contender} | ${run.floor!.plan.records} | ${n(r.wallMs / 1000)} | ` +
          `${n((r.cpuMs * 1000) / run.floor!.plan.records)} | ${int(r.peakRssBytes / MB)} | ` +
          `${r.landed.records} / ${r.landed.distinctKeys} | ${r.ok ? 'yes' : `**failed** — ${cell(r.error ?? '')}`} |`,
      );
  lines.push('');
  return lines;
}

function smallLines(s: SmallResult, bundles?: BundlesResult): string[] {
  const f = s.fit;
  const initTributary = s.functionsInitCpuMs?.median ?? Number.NaN;
  const fixedPerInvocation = f ? f.fixedMs + initTributary : Number.NaN;
  const at = (records: number) =>
    f ? fixedPerInvocation + (f.microsPerRecord * records) / 1000 : Number.NaN;
  const paired = (bundles?.functions ?? []).filter(
    (b) => b.coldInit.ok && b.coldInit.sdkCpuMs !== undefined && b.coldInit.emptyCpuMs !== undefined,
  );
  const sameLoop = paired.length
    ? {
        empty: median(paired.map((b) => b.coldInit.emptyCpuMs!)),
        sdk: median(paired.map((b) => b.coldInit.sdkCpuMs!)),
        own: median(paired.map((b) => b.coldInit.cpuMs - b.coldInit.sdkCpuMs!)),
      }
    : undefined;
  const lines = [
    '## The small run: fixed cost per invocation and CPU per record',
    '',
    `CPU ms, medians of ${s.runs} fresh processes each, measured in this run with the functions' V8 flags. ` +
      "Init = process start → handler built (coldInit.ts; Node's boot included). Work = the handler's run, " +
      'module loading excluded (as in the ingestion tables).',
    '',
    '| what | CPU ms |',
    '| --- | ---: |',
    `| baseline: \`node -e 0\` (whole process) | ${n(s.nodeEmptyCpuMs, 0)} |`,
    `| baseline: init of a bundle that imports nothing (ES module, \`import()\`ed) | ${n(s.baselineEmptyInitCpuMs, 0)} |`,
    `| baseline: init of a bundle that only imports the S3 client and constructs one (ES module) | ${n(s.baselineSdkInitCpuMs, 0)} |`,
    `| Tributary functions' init (median over functions; slowest ${n(s.functionsInitCpuMs?.max ?? Number.NaN, 0)}) | ${n(initTributary, 0)} |`,
    ...(sameLoop
      ? [
          `| … the same baselines bundled as the functions are (CommonJS), in turn with them (bundles part): nothing / S3 client | ${n(sameLoop.empty, 0)} / ${n(sameLoop.sdk, 0)} |`,
          `| … Tributary's own init: the functions' beyond the CommonJS S3-client bundle (median over functions) | ${n(sameLoop.own, 0)} |`,
        ]
      : [
          `| … beyond the SDK-only baseline (ES module: reads low, see bench/README.md) | ${n(initTributary - s.baselineSdkInitCpuMs, 0)} |`,
        ]),
    `| Tributary's work at ${s.tinyRecords.toLocaleString('en')} records (one page) | ${n(s.tinyCpuMs, 0)} |`,
    `| fit: work's fixed part (intercept) | ${n(f?.fixedMs ?? Number.NaN, 0)} |`,
    `| **fixed cost per invocation** = init + work's intercept | **${n(fixedPerInvocation, 0)}** |`,
    `| fit: CPU per record | ${n(f?.microsPerRecord ?? Number.NaN)} µs |`,
    ...(s.invocationsCpuMs
      ? [
          `| one process, 3 invocations at ${s.tinyRecords.toLocaleString('en')}: first (cold container) / second / third (warm) | ${s.invocationsCpuMs.map((v) => n(v, 0)).join(' / ')} |`,
          `| … the first invocation's one-time set-up (first − third) | ${n(s.invocationsCpuMs[0]! - s.invocationsCpuMs[2]!, 0)} |`,
        ]
      : []),
    `| a run of 10k records: fixed share | ${n((100 * fixedPerInvocation) / at(10_000), 0)} % of ${n(at(10_000), 0)} ms |`,
    '',
    `Fit: least squares over ${f ? f.points.map((p) => p.records.toLocaleString('en')).join(', ') : 'n/a'} records ` +
      `(sizes from ${s.fitFromRecords.toLocaleString('en')} measured in this run: the ingestion's, and 10k here when it had none).`,
    '',
  ];
  if (s.profileSummary)
    lines.push(
      `Where it goes: the profile of a ${s.tinyRecords.toLocaleString('en')}-record run of an unminified build ` +
        '(the whole process: module loading, the handler, one page), top 10:',
      '',
      s.profileSummary,
    );
  return lines;
}

function transportLines(t: TransportResult): string[] {
  const lines = [
    '## The transport A/B: ours (node:http), undici, global fetch',
    '',
    `The core with its transport swapped at bundle time (bench/transport/build.ts), everything else the same: ` +
      `${t.records.toLocaleString('en')} records in pages of ${t.pageSize}, **gzip on**, keep-alive, the source's default ` +
      `concurrency; median of ${t.repetitions} fresh processes each, order rotating. undici ${t.undiciVersion} (npm, pinned); ` +
      `fetch is Node's own (undici ${t.nodeUndiciVersion}). Cold = a fresh process \`require()\`s the github function ` +
      `built with that transport and sends its first request through it (median of ${t.coldRuns}); judged beyond ` +
      `\`node -e 0\` (${n(t.nodeEmptyCpuMs, 0)} ms CPU, same loop).`,
    '',
    '| transport | CPU µs / record | wall s | init CPU ms (→ handler) | CPU ms → first response | beyond `node -e 0` ms | bundle KB | landed (records / distinct) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of t.rows)
    lines.push(
      `| ${r.transport} | ${n(r.cpuMicrosPerRecord)} | ${n(r.wallMs / 1000)} | ${n(r.initCpuMs, 0)} | ${n(r.firstRequestCpuMs, 0)} | ` +
        `${n(r.coldBeyondNodeMs, 0)} | ${n(r.bundleBytes / 1024, 0)} | ` +
        `${r.landed ? `${r.landed.records} / ${r.landed.distinctKeys}` : '—'}${r.ok ? '' : ` **failed** — ${cell(r.error ?? '')}`} |`,
    );
  lines.push('');
  for (const v of t.verdict)
    lines.push(
      `- ${v.transport}: CPU per record ${n(v.cpuRatio)} × ours, cold ${n(v.coldRatio)} × ours, bundle ` +
        `${v.bundleOk ? '≤' : '>'} ${BUNDLE_LIMIT / 1e6} MB: ${v.switch ? `**within ${WITHIN * 100} % on both: switching would be right**` : `keep ours`}.`,
    );
  lines.push('');
  return lines;
}
