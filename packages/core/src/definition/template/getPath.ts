/**
 * Dotted paths into JSON (`data.items`, `page_info.next_page_token`, `purchase.order_date`);
 * `''` is the value itself. Compile once, read many times: record selection runs per page.
 */

export type PathGetter = (value: unknown) => unknown;

export function compilePath(path: string): PathGetter {
  if (path === '') return (value) => value;
  const keys = path.split('.');
  if (keys.length === 1) {
    const key = keys[0]!;
    return (value) =>
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return (value) => {
    let current = value;
    for (const key of keys) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  };
}

export function getPath(value: unknown, path: string): unknown {
  return compilePath(path)(value);
}
