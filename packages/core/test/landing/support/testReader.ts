/**
 * TEMPORARY: a minimal reader of the orders API implementing the StreamReader contract, used only
 * until the HTTP layer's `createReader` lands; then the landing tests switch to the real one.
 * Cursor pagination on `next_cursor`/`has_more`, records under `data`, `{parent.id}` paths.
 */
import type { ApiRecord, Page, ReaderContext, SourceDefinition, StreamReader } from '@tributary/core';

export function testReader(definition: SourceDefinition, context: ReaderContext): StreamReader {
  return async function* read(stream, options): AsyncGenerator<Page> {
    const def = definition.streams[stream]!;
    const cursorField = def.incremental?.cursorField;
    let index = 0;
    const fetchPage = async (path: string, cursor: string | null) => {
      const url = new URL(path, context.baseUrl);
      if (cursor) url.searchParams.set('cursor', cursor);
      if (options.window.since && def.incremental)
        url.searchParams.set('since', options.window.since.toISOString());
      const res = await fetch(url, { signal: options.signal });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${url}`);
      const body = (await res.json()) as { data: ApiRecord[]; next_cursor: string | null; has_more: boolean };
      const maxCursor = cursorField
        ? body.data
            .map((r) => String(r[cursorField]))
            .reduce<string | undefined>((a, b) => (!a || b > a ? b : a), undefined)
        : undefined;
      return {
        url: url.toString(),
        records: body.data,
        next: body.has_more ? body.next_cursor : null,
        maxCursor,
      };
    };
    if (!options.parents) {
      const start = options.from as { cursor: string } | null | undefined;
      let cursor = start?.cursor ?? null;
      for (;;) {
        const p = await fetchPage(def.path, cursor);
        yield {
          records: p.records,
          index: index++,
          url: p.url,
          next: p.next === null ? null : { cursor: p.next },
          maxCursor: p.maxCursor,
        };
        if (p.next === null) return;
        cursor = p.next;
      }
    }
    const from = (options.from as { parent: number; cursor: string | null } | null | undefined) ?? {
      parent: 0,
      cursor: null,
    };
    let i = 0;
    for await (const parent of options.parents()) {
      if (i < from.parent) {
        i++;
        continue;
      }
      let cursor = i === from.parent ? from.cursor : null;
      for (;;) {
        const p = await fetchPage(def.path.replace('{parent.id}', String(parent.id)), cursor);
        const carried = p.records.map((r) => ({ ...r, parent_id: parent.id }));
        const next = p.next === null ? { parent: i + 1, cursor: null } : { parent: i, cursor: p.next };
        yield { records: carried, index: index++, url: p.url, next, maxCursor: p.maxCursor };
        if (p.next === null) break;
        cursor = p.next;
      }
      i++;
    }
    yield { records: [], index: index++, url: context.baseUrl, next: null };
  };
}
