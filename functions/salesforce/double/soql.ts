/**
 * The SOQL a Bulk API 2.0 query job is created with, parsed as far as the salesforce source needs:
 * `SELECT <fields> FROM <object> [WHERE <field> <op> <literal> [AND …]] [ORDER BY <field> [ASC|DESC]]
 * [LIMIT n]`. dateTime literals are written as the SOQL reference's "Date Formats and Date Literals"
 * page gives them, unquoted, to the second, with `Z` or an offset (`2026-11-01T00:00:00Z`,
 * `…+01:00`); a quoted or millisecond dateTime is refused as the REST API refuses a malformed
 * query. Errors are `{ errorCode, message }` as the REST API's error responses carry them.
 */
import { FIELDS, type ObjectName, type SObject } from './records.ts';

export interface SoqlError {
  errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE';
  message: string;
}

export interface Soql {
  object: ObjectName;
  fields: string[];
  filter: (record: SObject) => boolean;
  compare?: (a: SObject, b: SObject) => number;
  limit?: number;
}

const QUERY =
  /^\s*SELECT\s+(.+?)\s+FROM\s+([A-Za-z_]\w*)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is;
const CONDITION = /^\s*\(?\s*([A-Za-z_]\w*)\s*(>=|<=|!=|=|>|<)\s*(.+?)\s*\)?\s*$/;
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$/;
const DATE = /^\d{4}-\d\d-\d\d$/;
const DATETIME_FIELDS = new Set(['CreatedDate', 'LastModifiedDate', 'SystemModstamp']);

const malformed = (query: string, why: string): SoqlError => ({
  errorCode: 'MALFORMED_QUERY',
  message: `\n${query}\n^\nERROR at Row:1:Column:1\n${why}`,
});

type Literal = { kind: 'datetime'; ms: number } | { kind: 'text'; value: string };

function literal(query: string, field: string, raw: string): Literal | SoqlError {
  if (DATETIME_FIELDS.has(field)) {
    if (!DATETIME.test(raw)) {
      return malformed(
        query,
        `value of filter criterion for field '${field}' must be of type dateTime and should not be enclosed in quotes`,
      );
    }
    return { kind: 'datetime', ms: Date.parse(raw) };
  }
  const quoted = /^'((?:[^'\\]|\\.)*)'$/.exec(raw);
  if (quoted) return { kind: 'text', value: (quoted[1] as string).replace(/\\(.)/g, '$1') };
  if (/^-?\d+(\.\d+)?$/.test(raw) || DATE.test(raw) || /^(true|false|null)$/i.test(raw))
    return { kind: 'text', value: raw.toLowerCase() === 'null' ? '' : raw };
  return malformed(query, `unexpected token: '${raw}'`);
}

function test(op: string, a: number | string, b: number | string): boolean {
  if (op === '>') return a > b;
  if (op === '>=') return a >= b;
  if (op === '<') return a < b;
  if (op === '<=') return a <= b;
  return op === '=' ? a === b : a !== b;
}

function where(query: string, object: ObjectName, clause: string): SoqlError | ((r: SObject) => boolean) {
  const known: readonly string[] = FIELDS[object];
  const tests: Array<(r: SObject) => boolean> = [];
  for (const part of clause.split(/\s+AND\s+/i)) {
    const m = CONDITION.exec(part);
    if (!m) return malformed(query, `unexpected token: '${part.trim()}'`);
    const [, field, op, raw] = m as unknown as [string, string, string, string];
    if (!known.includes(field)) return noSuchColumn(query, field, object);
    const value = literal(query, field, raw);
    if ('errorCode' in value) return value;
    tests.push((r) => {
      const actual = r[field] ?? '';
      if (value.kind === 'datetime') return actual !== '' && test(op, Date.parse(actual), value.ms);
      return test(op, actual, value.value);
    });
  }
  return (r) => tests.every((t) => t(r));
}

const noSuchColumn = (query: string, field: string, object: string): SoqlError => ({
  errorCode: 'INVALID_FIELD',
  message: `\n${query}\n^\nERROR at Row:1:Column:1\nNo such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
});

export function parseSoql(query: string): Soql | SoqlError {
  const m = QUERY.exec(query);
  if (!m) return malformed(query, 'unexpected token: expected SELECT <fields> FROM <object>');
  const [, list, from, clause, orderBy, direction, limit] = m as unknown as (string | undefined)[];
  const object = Object.keys(FIELDS).find((o) => o.toLowerCase() === from!.toLowerCase()) as
    | ObjectName
    | undefined;
  if (!object) {
    return {
      errorCode: 'INVALID_TYPE',
      message: `\n${query}\n^\nERROR at Row:1:Column:1\nsObject type '${from}' is not supported.`,
    };
  }
  const known: readonly string[] = FIELDS[object];
  const fields = list!.split(',').map((f) => f.trim());
  for (const f of fields) {
    const canonical = known.find((k) => k.toLowerCase() === f.toLowerCase());
    if (!canonical) return noSuchColumn(query, f, object);
    fields[fields.indexOf(f)] = canonical;
  }
  const filter = clause === undefined ? () => true : where(query, object, clause);
  if (typeof filter !== 'function') return filter;
  const soql: Soql = { object, fields, filter };
  if (orderBy !== undefined) {
    if (!known.includes(orderBy)) return noSuchColumn(query, orderBy, object);
    const sign = direction?.toUpperCase() === 'DESC' ? -1 : 1;
    soql.compare = (a, b) => {
      const x = a[orderBy] ?? '';
      const y = b[orderBy] ?? '';
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    };
  }
  if (limit !== undefined) soql.limit = Number(limit);
  return soql;
}
