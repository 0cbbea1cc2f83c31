/**
 * The e2e tests' pipeline: the real packaged state machine, real handlers, real curate.py, against
 * a moto server and the sandbox API of this test file (its own, so files run side by side).
 * The service is packaged once per test run (packageService's shared cache); each file copies the
 * template it executes so a concurrent repackage cannot pull it away mid-file.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { columnName } from '@tributary/core/raw-zone';
import { packageService, TEMPLATE_FILE } from '@tributary/local-pipeline';
import type { SandboxOptions } from '@tributary/sandbox';
import {
  type LocalPipelineOptions,
  type LocalPipelineResult,
  type LocalStack,
  localPipelineInput,
  repoRoot,
  runLocalPipeline,
  startLocalStack,
} from '@tributary/sandbox/local';

export interface E2E {
  stack: LocalStack;
  warehouse: string;
  run(
    executionName: string,
    options?: Partial<Omit<LocalPipelineOptions, 'stack' | 'packageDir' | 'executionName' | 'warehouse'>>,
  ): Promise<LocalPipelineResult>;
  stop(): Promise<void>;
}

export async function startE2E(sandbox: SandboxOptions): Promise<E2E> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-e2e-'));
  const packageDir = join(dir, 'package');
  const warehouse = join(dir, 'warehouse');
  await mkdir(packageDir, { recursive: true });
  await mkdir(warehouse, { recursive: true });
  const packaged = await packageService({ stage: 'dev', cache: true });
  await copyFile(join(packaged.dir, TEMPLATE_FILE), join(packageDir, TEMPLATE_FILE));
  const stack = await startLocalStack({ sandbox });
  return {
    stack,
    warehouse,
    run: (executionName, options = {}) =>
      runLocalPipeline({
        // Every registered source: the sandbox's four, any other against its own double.
        input: localPipelineInput(stack.registered, stack.leftOut),
        ...options,
        stack,
        packageDir,
        executionName,
        warehouse,
      }),
    async stop() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface CuratedTableSummary {
  source: string;
  stream: string;
  table: string;
  rowsTotal?: number;
  rowsInRun?: number;
  rowsUpdated?: number;
  rowsInserted?: number;
}

/** The curate job's summary, per `<source>/<stream>`. */
export function curatedTables(result: LocalPipelineResult): Map<string, CuratedTableSummary> {
  const tables = (result.curate?.summary?.tables ?? []) as unknown as CuratedTableSummary[];
  return new Map(tables.map((t) => [`${t.source}/${t.stream}`, t]));
}

/** The last result of each source's handler (after its partials), per source. */
export function finalResults(result: LocalPipelineResult) {
  const out = new Map<string, NonNullable<LocalPipelineResult['invocations'][number]['result']>>();
  for (const inv of result.invocations)
    if (inv.result?.status === 'complete') out.set(inv.source, inv.result);
  return out;
}

/** Primary key column(s) of each curated table, as the sources define them (flattened `a__b`, a composite key joined by `+`). */
export const KEY_COLUMNS: Record<string, string> = {
  github_issues: 'id',
  github_pull_requests: 'id',
  github_commits: 'sha',
  github_issue_comments: 'id',
  github_contributor_stats: 'repository+author__id',
  stripe_charges: 'id',
  stripe_customers: 'id',
  stripe_invoices: 'id',
  hotmart_sales_history: 'purchase__transaction',
  hotmart_subscriptions: 'subscriber_code',
  socrata_dataset_erm2_nwe9: '_id',
  socrata_dataset_ydr8_5enu: '_id',
};

/**
 * The key column of each curated table: KEY_COLUMNS for the sandbox's sources, the definition's
 * primary key, named as the curated table names it, for any other registered source (one made by
 * `pnpm new-source`, socrata-csv, salesforce).
 */
export async function keyColumns(tables: Iterable<CuratedTableSummary>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const name = t.table.split('.').at(-1) as string;
    const known = KEY_COLUMNS[name];
    if (known) {
      out[name] = known;
      continue;
    }
    const module = join(repoRoot, 'functions', t.source, 'src/source.ts');
    const { source } = (await import(pathToFileURL(module).href)) as {
      source: { streams: Record<string, { primaryKey?: string | string[] }> };
    };
    const key = [source.streams[t.stream]?.primaryKey ?? []].flat();
    // Named by the one column-name rule (docs/contracts.md): `:id` → `_id`, `Id` → `id`, `a.b` → `a__b`.
    if (key.length) out[name] = key.map((k) => columnName(k.split('.'))).join('+');
  }
  return out;
}
