/**
 * The columns the curate job would create from a few records, without Spark: a sample-based
 * preview for `pnpm check`. The raw table (Athena) is the core's own inference (`inferColumns`,
 * catalog/rawSchema.ts); the curated table follows glue-scripts/tributary_curate/flatten.py: nested
 * objects become `parent__child` columns up to `maxDepth` levels, deeper objects, maps and arrays stay
 * JSON strings, except the arrays the stream lists in `childTables`, which become child tables
 * `<source>_<stream>__<field>` (the parent's key as `_parent_<key>`, the element's `_index`, and the
 * element's columns, `value` for a scalar). Every name comes from the one rule (`resolveNames`,
 * catalog/columnNames.ts). Spark infers types from every record of a run: a sample can miss fields
 * and types.
 */
import { inferColumns, resolveNames, sanitize } from '@tributary/core/raw-zone';

/** The curate job's metadata columns (glue-scripts/tributary_curate/transform.py `METADATA`). */
export const METADATA_COLUMNS = ['_source', '_stream', '_run_id', '_ingested_at', '_import_date', '_cursor'];

/** How many levels of nested objects become columns (flatten.py `DEFAULT_MAX_DEPTH`). @default 4 */
export const DEFAULT_MAX_DEPTH = 4;

export interface PreviewColumn {
  /** The column's name. */
  name: string;
  /** The JSON path it reads, dotted. */
  path: string;
  /** `bigint`, `double`, `boolean`, `string`, or `json` (an object or array kept as a JSON string). */
  type: string;
}

export interface PreviewTable {
  name: string;
  columns: PreviewColumn[];
}

export interface ColumnPreview {
  /** `raw_<source>_<stream>`'s columns: the records' top-level keys. */
  raw: { name: string; type: string; key: string }[];
  curated: PreviewTable;
  children: PreviewTable[];
  /** `childTables` fields that are not an array in the sample. */
  missingChildren: string[];
}

type Kind = string; // a scalar type, 'json', 'array', or 'struct'

interface Node {
  kind: Kind;
  fields?: Map<string, Node>;
  /** An array's element, merged over every element seen. */
  element?: Node;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function scalarKind(value: unknown): Kind | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double';
  return 'string';
}

/** Merges one value into a node, as Spark's JSON inference does: numbers widen, other conflicts are strings. */
function merge(node: Node | undefined, value: unknown): Node | undefined {
  if (value === null || value === undefined) return node;
  if (isObject(value)) {
    const into: Node = node?.kind === 'struct' ? node : { kind: 'struct', fields: new Map() };
    if (node && node.kind !== 'struct') return { kind: 'string' };
    for (const [key, v] of Object.entries(value)) {
      const merged = merge(into.fields!.get(key), v);
      if (merged) into.fields!.set(key, merged);
      else if (!into.fields!.has(key)) into.fields!.set(key, { kind: 'string' });
    }
    return into;
  }
  if (Array.isArray(value)) {
    if (node && node.kind !== 'array') return { kind: 'string' };
    const into: Node = node ?? { kind: 'array' };
    for (const element of value) into.element = merge(into.element, element);
    return into;
  }
  const kind = scalarKind(value)!;
  if (!node) return { kind };
  if (node.kind === kind) return node;
  if ((node.kind === 'bigint' && kind === 'double') || (node.kind === 'double' && kind === 'bigint'))
    return { kind: 'double' };
  return { kind: 'string' };
}

/** (path, kind) of every column a struct flattens to (flatten.py `_walk`). */
function walk(struct: Node, prefix: string[], depth: number, maxDepth: number, out: [string[], Kind][]) {
  for (const [name, node] of struct.fields ?? []) {
    const path = [...prefix, name];
    if (node.kind === 'struct') {
      if (depth < maxDepth && node.fields && node.fields.size > 0) walk(node, path, depth + 1, maxDepth, out);
      else out.push([path, 'json']);
    } else out.push([path, node.kind]);
  }
}

const typeOf = (kind: Kind) => (kind === 'array' ? 'json' : kind);

function columnsOf(found: [string[], Kind][], reserved: string[]): PreviewColumn[] {
  const names = resolveNames(
    found.map(([p]) => p),
    reserved,
  );
  return found.map(([path, kind], i) => ({ name: names[i]!, path: path.join('.'), type: typeOf(kind) }));
}

/** The child table of the array at `path`: the parent's keys, `_index`, and the element's columns. */
function childTable(
  root: Node,
  path: string[],
  keyColumns: string[],
  table: string,
  maxDepth: number,
): PreviewTable {
  let node: Node | undefined = root;
  for (const p of path) node = node?.fields?.get(p);
  const element = node?.element;
  const reserved = [...METADATA_COLUMNS, '_index'];
  let columns: PreviewColumn[];
  if (element?.kind === 'struct') {
    const inElement: [string[], Kind][] = [];
    walk(element, [], 0, maxDepth, inElement);
    columns = columnsOf(inElement, reserved);
  } else {
    const kind = element?.kind ?? 'string';
    columns = [{ name: 'value', path: '', type: ['array', 'json'].includes(kind) ? 'json' : kind }];
  }
  const parentKeys = keyColumns.map((k) => ({ name: `_parent_${k}`, path: `(parent) ${k}`, type: 'key' }));
  return {
    name: `${table}__${resolveNames([path])[0]}`,
    columns: [...parentKeys, { name: '_index', path: '(element index)', type: 'int' }, ...columns],
  };
}

export function previewColumns(
  source: string,
  stream: string,
  records: readonly Record<string, unknown>[],
  options: {
    childTables?: readonly string[];
    primaryKey?: string | readonly string[];
    maxDepth?: number;
  } = {},
): ColumnPreview {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const root: Node = { kind: 'struct', fields: new Map() };
  for (const record of records) merge(root, record);
  const found: [string[], Kind][] = [];
  walk(root, [], 0, maxDepth, found);

  const wanted = new Map((options.childTables ?? []).map((c) => [c, c.split('.')]));
  const kept: [string[], Kind][] = [];
  const childPaths: string[][] = [];
  for (const [path, kind] of found) {
    if (kind === 'array' && wanted.has(path.join('.'))) childPaths.push(path);
    else kept.push([path, kind]);
  }
  const curated = columnsOf(kept, METADATA_COLUMNS);
  const table = `${sanitize(source)}_${sanitize(stream)}`;
  const keys =
    typeof options.primaryKey === 'string' ? [options.primaryKey] : [...(options.primaryKey ?? [])];
  const keyColumns = keys.map((k) => curated.find((c) => c.path === k)?.name ?? sanitize(k));

  const children = childPaths.map((path) => childTable(root, path, keyColumns, table, maxDepth));
  const raw = inferColumns(records);
  return {
    raw: raw.columns.map((c) => ({
      name: c.Name ?? '',
      type: c.Type ?? 'string',
      key: raw.mapping[c.Name ?? ''] ?? c.Name ?? '',
    })),
    curated: { name: table, columns: curated },
    children,
    missingChildren: [...wanted.keys()].filter((c) => !childPaths.some((p) => p.join('.') === c)),
  };
}
