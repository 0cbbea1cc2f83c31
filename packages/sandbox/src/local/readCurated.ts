/**
 * Reads curated Iceberg tables of a local warehouse back through Spark (python/read_curated.py):
 * row counts and distinct key counts per table, and the rows of SQL queries.
 */
import { spawn } from 'node:child_process';
import { paths, repoRoot } from './paths.ts';

export interface CuratedTables {
  tables: Record<string, { rows: number; distinct?: number }>;
  /** One array of rows per query, in order. */
  rows: Array<Array<Record<string, unknown>>>;
}

export interface ReadCuratedOptions {
  warehouse: string;
  /** @default 'tributary_dev' */
  database?: string;
  /** Table → key column whose distinct values to count (duplicates show as distinct < rows); `a+b` for a composite key. */
  keys?: Record<string, string>;
  /** Queries whose rows to return (tables as `local.<database>.<table>`); then table counts only with `keys`. */
  sql?: string[];
}

export async function readCurated(options: ReadCuratedOptions): Promise<CuratedTables> {
  const args = [paths.readCurated, '--warehouse', options.warehouse, '--json'];
  if (options.database) args.push('--database', options.database);
  const keys = Object.entries(options.keys ?? {});
  if (keys.length) args.push('--keys', keys.map(([t, c]) => `${t}=${c}`).join(','));
  for (const q of options.sql ?? []) args.push('--sql', q);
  const child = spawn(paths.python, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', ok);
  });
  if (code !== 0)
    throw new Error(`read_curated.py exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as CuratedTables;
}
