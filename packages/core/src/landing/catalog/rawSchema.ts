/**
 * A raw table's schema, from records (pure): columns are the records' top-level fields, named by
 * the rule of docs/contracts.md ("Column names"), typed from their JSON values (nested objects and
 * arrays read as JSON strings); a later run adds columns and widens types, never drops or renames
 * a column (except once, to bring a table named before the rule to it).
 */
import type { Column } from '@aws-sdk/client-glue';
import { resolveNames } from './columnNames.ts';

/** The raw zone's partition keys, named like the key folders. */
export const PARTITION_KEYS: readonly Column[] = [
  { Name: 'import_year', Type: 'string' },
  { Name: 'import_month', Type: 'string' },
  { Name: 'import_day', Type: 'string' },
  { Name: 'import_date', Type: 'string' },
  { Name: 'run_id', Type: 'string' },
];

/** A top-level JSON key's column name, by the rule of docs/contracts.md ("Column names"). */
export function columnName(key: string): string {
  return resolveNames([[key]])[0]!;
}

function hiveType(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  // An integer beyond 64 bits does not read as bigint: it reads as double.
  if (typeof value === 'number')
    return Number.isInteger(value) && Math.abs(value) < 2 ** 63 ? 'bigint' : 'double';
  return 'string';
}

/**
 * The type that reads both: bigint and double widen to double; any other mix falls back to string
 * (the OpenX SerDe reads any JSON value, nested ones as their JSON text, into a string column, so
 * every earlier part still reads). Unlike the curated side, a conflict does not divert to a
 * `<column>__string` column: the raw table is only a read schema over the parts, and a column left
 * `bigint` would still fail on the new parts' values.
 */
export function widenType(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  if ((a === 'bigint' && b === 'double') || (a === 'double' && b === 'bigint')) return 'double';
  return 'string';
}

/** A raw table's schema: its columns, and the JSON key each column reads where the two differ. */
export interface RawSchema {
  columns: Column[];
  /** column name → JSON key (the OpenX SerDe's `mapping.<column>` parameters). */
  mapping: Record<string, string>;
}

export interface SchemaChange {
  schema: RawSchema;
  /** Columns added, in order. */
  added: string[];
  /** Columns whose type changed: `{ column, from, to }`. */
  widened: { column: string; from: string; to: string }[];
  /** Columns renamed to the naming rule (a table named before it): `{ from, to }`. */
  renamed: { from: string; to: string }[];
}

/**
 * Merges records into a schema (none: a new table). A key the schema already reads keeps its column
 * and its type widens to hold the new values; the run's new keys get new columns, named by the rule
 * of docs/contracts.md ("Column names") against the names already taken (the table's columns and
 * the partition keys), so no field is silently merged into another. Columns are never dropped, and
 * renamed only with `renameToRule`: once, for a table named before the rule.
 */
export function mergeSchema(
  existing: RawSchema | undefined,
  sample: readonly Record<string, unknown>[],
  options: { renameToRule?: boolean } = {},
): SchemaChange {
  const partitionKeys = PARTITION_KEYS.map((k) => k.Name ?? '');
  const types = new Map<string, string | undefined>();
  const keyOf = new Map<string, string>();
  const nameOfKey = new Map<string, string>();
  const renamed: SchemaChange['renamed'] = [];
  const known = (existing?.columns ?? []).map((c) => ({
    name: c.Name ?? '',
    key: existing?.mapping[c.Name ?? ''] ?? c.Name ?? '',
    type: c.Type,
  }));
  const ruleNames = options.renameToRule
    ? resolveNames(
        known.map((c) => [c.key]),
        partitionKeys,
      )
    : known.map((c) => c.name);
  known.forEach((c, i) => {
    const name = ruleNames[i]!;
    if (name !== c.name) renamed.push({ from: c.name, to: name });
    types.set(name, c.type);
    keyOf.set(name, c.key);
    nameOfKey.set(c.key, name);
  });

  const { seen, fresh } = sampleTypes(sample, nameOfKey);
  const freshNames = resolveNames(
    fresh.map((k) => [k]),
    [...keyOf.keys(), ...partitionKeys],
  );
  fresh.forEach((key, i) => {
    keyOf.set(freshNames[i]!, key);
    nameOfKey.set(key, freshNames[i]!);
  });

  const added: string[] = [];
  const widened: SchemaChange['widened'] = [];
  for (const [key, type] of seen) {
    const name = nameOfKey.get(key)!;
    if (!types.has(name)) {
      added.push(name);
      types.set(name, type);
      continue;
    }
    const from = types.get(name) ?? 'string';
    const to = widenType(from, type) ?? 'string';
    if (to !== from) {
      widened.push({ column: name, from, to });
      types.set(name, to);
    }
  }
  const columns = [...types].map(([Name, Type]) => ({ Name, Type: Type ?? 'string' }));
  const mapping: Record<string, string> = {};
  for (const [name, key] of keyOf) if (name !== key) mapping[name] = key;
  return { schema: { columns, mapping }, added, widened, renamed };
}

/** Each key of the sample with the type that holds all its values, and the keys no column reads yet, in first-seen order. */
function sampleTypes(
  sample: readonly Record<string, unknown>[],
  nameOfKey: ReadonlyMap<string, string>,
): { seen: Map<string, string | undefined>; fresh: string[] } {
  const seen = new Map<string, string | undefined>();
  const fresh: string[] = [];
  for (const record of sample) {
    for (const [key, value] of Object.entries(record)) {
      if (!nameOfKey.has(key) && !seen.has(key)) fresh.push(key);
      seen.set(key, widenType(seen.get(key), hiveType(value)));
    }
  }
  return { seen, fresh };
}

/** Columns inferred from records alone (a new table's schema). */
export function inferColumns(sample: readonly Record<string, unknown>[]): RawSchema {
  return mergeSchema(undefined, sample).schema;
}
