/**
 * The CRM search request body, as HubSpot documents it (README "Sources"): `filterGroups` (OR'ed),
 * each with `filters` (AND'ed) of `{ propertyName, operator, value | values | highValue }`, one
 * `sorts` rule, `properties`, `limit` (at most 200) and `after`. `parseSearch` checks a body and
 * turns it into a query the double runs over its objects, or the 400 HubSpot answers for it.
 */

type Json = Record<string, unknown>;

/** One CRM object as the API returns it; property values are strings (or null). A type, not an interface: it is a JSON record. */
export type CrmObject = {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
};

export interface SearchQuery {
  matches(object: CrmObject): boolean;
  compare(a: CrmObject, b: CrmObject): number;
  /** Properties to return; `undefined`: the object type's defaults. */
  properties: string[] | undefined;
  limit: number;
  /** The offset `after` names. */
  offset: number;
}

/** A refusal: the message of HubSpot's `VALIDATION_ERROR` body. */
export interface SearchRefusal {
  refused: string;
}

/** "The maximum number of supported objects per page is 200" (search guide, Limitations). */
export const MAX_LIMIT = 200;
/** The default page size when `limit` is absent (the API reference's example pages of 10). */
export const DEFAULT_LIMIT = 10;
/** "limited to 10,000 total results for any given query" (search guide, Limitations). */
export const MAX_RESULTS = 10_000;
/** Filter limits since 2024-08-26 (changelog "Expanded Filtering Capabilities"). */
export const MAX_GROUPS = 5;
export const MAX_FILTERS_PER_GROUP = 10;
export const MAX_FILTERS = 25;

const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
] as const;
type Operator = (typeof OPERATORS)[number];

/** The single-value comparisons, on the sign of `order(property value, filter value)`. */
const COMPARISONS = {
  EQ: (n: number) => n === 0,
  NEQ: (n: number) => n !== 0,
  LT: (n: number) => n < 0,
  LTE: (n: number) => n <= 0,
  GT: (n: number) => n > 0,
  GTE: (n: number) => n >= 0,
};

/**
 * A filter value as the property's value is compared: datetimes as epoch milliseconds (HubSpot takes
 * a Unix timestamp in milliseconds or an ISO 8601 string), numbers as numbers, anything else as text.
 */
function comparable(value: string): number | string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return value.toLowerCase();
}

function order(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function filterTest(filter: Json): ((o: CrmObject) => boolean) | SearchRefusal {
  const { propertyName, operator, value, highValue, values } = filter;
  if (typeof propertyName !== 'string' || propertyName === '')
    return { refused: 'filter without propertyName' };
  if (!OPERATORS.includes(operator as Operator)) {
    return { refused: `Unsupported operator ${String(operator)}; one of ${OPERATORS.join(', ')}` };
  }
  const op = operator as Operator;
  const present = (o: CrmObject) =>
    o.properties[propertyName] !== undefined && o.properties[propertyName] !== null;
  if (op === 'HAS_PROPERTY') return present;
  if (op === 'NOT_HAS_PROPERTY') return (o) => !present(o);
  const own = (o: CrmObject) => comparable(String(o.properties[propertyName]));
  if (op === 'IN' || op === 'NOT_IN') {
    if (!Array.isArray(values)) return { refused: `${op} on ${propertyName} needs values` };
    const set = values.map((v) => comparable(String(v)));
    const inSet = (o: CrmObject) => present(o) && set.some((v) => order(own(o), v) === 0);
    return op === 'IN' ? inSet : (o) => !inSet(o);
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    return { refused: `${op} on ${propertyName} needs a value` };
  }
  const low = comparable(String(value));
  if (op === 'BETWEEN') {
    if (typeof highValue !== 'string' && typeof highValue !== 'number') {
      return { refused: `BETWEEN on ${propertyName} needs a highValue` };
    }
    const high = comparable(String(highValue));
    return (o) => present(o) && order(own(o), low) >= 0 && order(own(o), high) <= 0;
  }
  const holds = COMPARISONS[op as keyof typeof COMPARISONS];
  // NEQ also matches an object without the property; every other comparison needs a value.
  if (op === 'NEQ') return (o) => !present(o) || holds(order(own(o), low));
  return (o) => present(o) && holds(order(own(o), low));
}

function matcher(groups: unknown): ((o: CrmObject) => boolean) | SearchRefusal {
  if (groups === undefined) return () => true;
  if (!Array.isArray(groups)) return { refused: 'filterGroups must be a list' };
  if (groups.length === 0) return () => true;
  if (groups.length > MAX_GROUPS)
    return { refused: `at most ${MAX_GROUPS} filterGroups, got ${groups.length}` };
  let total = 0;
  const tests: Array<Array<(o: CrmObject) => boolean>> = [];
  for (const group of groups as Json[]) {
    const filters = group?.filters;
    if (!Array.isArray(filters)) return { refused: 'each filterGroup needs filters' };
    if (filters.length > MAX_FILTERS_PER_GROUP) {
      return { refused: `at most ${MAX_FILTERS_PER_GROUP} filters in a filterGroup, got ${filters.length}` };
    }
    total += filters.length;
    const all: Array<(o: CrmObject) => boolean> = [];
    for (const f of filters as Json[]) {
      const test = filterTest(f ?? {});
      if (typeof test !== 'function') return test;
      all.push(test);
    }
    tests.push(all);
  }
  if (total > MAX_FILTERS) return { refused: `at most ${MAX_FILTERS} filters in a search, got ${total}` };
  return (o) => tests.some((all) => all.every((t) => t(o)));
}

/** One sort rule: `{ propertyName, direction }` or the string form `prop` / `-prop`; ties by id. */
function comparator(sorts: unknown): ((a: CrmObject, b: CrmObject) => number) | SearchRefusal {
  const byId = (a: CrmObject, b: CrmObject) => Number(a.id) - Number(b.id);
  if (sorts === undefined || (Array.isArray(sorts) && sorts.length === 0)) return byId;
  if (!Array.isArray(sorts)) return { refused: 'sorts must be a list' };
  if (sorts.length > 1) return { refused: 'only one sort rule can be applied to a search' };
  const rule = sorts[0] as unknown;
  let name: string;
  let sign = 1;
  if (typeof rule === 'string') {
    name = rule.replace(/^-/, '');
    sign = rule.startsWith('-') ? -1 : 1;
  } else if (rule && typeof rule === 'object' && typeof (rule as Json).propertyName === 'string') {
    name = (rule as Json).propertyName as string;
    const direction = (rule as Json).direction ?? 'ASCENDING';
    if (direction !== 'ASCENDING' && direction !== 'DESCENDING') {
      return { refused: `sort direction ${String(direction)}; ASCENDING or DESCENDING` };
    }
    sign = direction === 'DESCENDING' ? -1 : 1;
  } else {
    return { refused: 'a sort is { propertyName, direction }' };
  }
  const key = (o: CrmObject) => {
    const v = o.properties[name];
    return v === null || v === undefined ? undefined : comparable(v);
  };
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    // Objects without the property sort last either way.
    if (x === undefined || y === undefined) return x === y ? byId(a, b) : x === undefined ? 1 : -1;
    return sign * order(x, y) || byId(a, b);
  };
}

function paging(body: Json): { limit: number; offset: number } | SearchRefusal {
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
    return { refused: `limit must be an integer from 0 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}` };
  }
  const after = body.after ?? '0';
  const offset = typeof after === 'number' ? after : /^\d+$/.test(String(after)) ? Number(after) : Number.NaN;
  if (!Number.isInteger(offset)) return { refused: `after ${JSON.stringify(after)} is not a paging cursor` };
  return { limit, offset };
}

/** The query a search body asks for, or why HubSpot refuses it (a 400 `VALIDATION_ERROR`). */
export function parseSearch(text: string): SearchQuery | SearchRefusal {
  let body: Json;
  try {
    body = (text.trim() === '' ? {} : JSON.parse(text)) as Json;
  } catch {
    return { refused: 'Invalid input JSON: the request body is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { refused: 'Invalid input JSON: the request body must be an object' };
  }
  if (body.query !== undefined)
    return { refused: 'query (free-text search) is not reproduced by this double' };
  const properties = body.properties;
  if (
    properties !== undefined &&
    !(Array.isArray(properties) && properties.every((p) => typeof p === 'string'))
  ) {
    return { refused: 'properties must be a list of property names' };
  }
  const matches = matcher(body.filterGroups);
  if (typeof matches !== 'function') return matches;
  const compare = comparator(body.sorts);
  if (typeof compare !== 'function') return compare;
  const page = paging(body);
  if ('refused' in page) return page;
  return { matches, compare, properties: properties as string[] | undefined, ...page };
}
