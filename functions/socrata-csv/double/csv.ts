/**
 * Rows as SODA's CSV output format writes them ("CSV Format", dev.socrata.com): the first row the
 * column field names, then one record a row; a value with a comma, a line break or a quote is quoted,
 * a quote inside it doubled; an empty field or a null value is no value at all.
 */
type Row = Record<string, unknown>;

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  // Not on the format page: a nested value (a location) is written as its JSON.
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record's line (no line break); the header is `csvLine(columns, Object.fromEntries(columns.map((c) => [c, c])))`. */
export const csvLine = (columns: readonly string[], row: Row): string =>
  columns.map((c) => field(row[c])).join(',');

export function writeCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map(field).join(',')];
  for (const row of rows) lines.push(csvLine(columns, row));
  return `${lines.join('\n')}\n`;
}

/**
 * The columns a `$select` gives, in the dataset's order: `:*` the system fields, `*` the others,
 * else the names listed (the double's query engine has refused anything else already).
 */
export function selectedColumns(all: readonly string[], select: string | null): string[] {
  const parts = (select ?? '*').split(',').map((s) => s.trim());
  const system = parts.includes(':*');
  const rest = parts.includes('*');
  const named = parts.filter((p) => p !== '*' && p !== ':*');
  const picked = all.filter((c) => (c.startsWith(':') ? system : rest) || named.includes(c));
  return [...picked, ...named.filter((n) => !picked.includes(n))];
}
