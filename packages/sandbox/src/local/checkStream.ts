/**
 * One stream of `pnpm check`: its first page read (a child stream with its parent's first key), and
 * the sections printed for it: the request (➕ a POST's body), the records path (➕ a file stream's
 * decoder, columns and rows: checkFile.ts), the primary key and cursor field, the paginator's next
 * state, a sample record and the columns the curate job would create.
 */
import type { SourceDefinition, StreamDefinition } from '@tributary/core';
import {
  type ApiRecord,
  compilePath,
  type Page,
  type PaginatorDefinition,
  paginatorKinds,
  type Redactor,
  type StreamReader,
} from '@tributary/core/definition';
import { bodyLines, fileLines, fileNext, isFileStream } from './checkFile.ts';
import { maskHeader, maskRecord, maskUrl } from './checkMasking.ts';
import type { Exchange } from './checkRequests.ts';
import {
  CheckFailedError,
  didYouMean,
  isMissingRecords,
  keysListed,
  ParentUnreadable,
  type StreamCheck,
  type StreamVerdict,
  verdictOf,
} from './checkVerdict.ts';
import { previewColumns } from './previewColumns.ts';

export interface StreamContext {
  definition: SourceDefinition;
  stream: string;
  readFirst: (stream: string) => Promise<Page | undefined>;
  exchanges: () => Exchange[];
  redactor: Redactor;
  hiddenParams: Set<string>;
}

function keysOf(stream: StreamDefinition): string[] {
  const pk = stream.primaryKey;
  return pk === undefined ? [] : typeof pk === 'string' ? [pk] : pk;
}

const present = (v: unknown) => v !== undefined && v !== null;

/** The first page of `stream`; a child stream walks with its parent's first record only. */
export async function firstPage(
  reader: StreamReader,
  definition: SourceDefinition,
  stream: string,
  now: Date,
  readFirst: (stream: string) => Promise<Page | undefined>,
): Promise<Page | undefined> {
  const def = definition.streams[stream]!;
  let parents: (() => AsyncIterable<ApiRecord>) | undefined;
  if (def.parent) {
    const parentPage = await readFirst(def.parent.stream).catch((error: unknown) => {
      throw new ParentUnreadable(def.parent!.stream, error);
    });
    const first = parentPage?.records[0];
    if (!first) return undefined;
    parents = async function* () {
      yield first;
    };
  }
  for await (const page of reader(stream, { window: { until: now }, parents })) return page;
  return undefined;
}

export async function checkStream(ctx: StreamContext): Promise<StreamCheck> {
  const { definition, stream, redactor } = ctx;
  const def = definition.streams[stream]!;
  const lines: string[] = [`== ${stream}${def.parent ? ` (child of ${def.parent.stream})` : ''}`];
  const check: StreamCheck = { stream, verdict: 'ok', lines, records: 0 };
  const fail = (verdict: StreamVerdict, error: Error) => {
    check.verdict = verdict;
    check.error = { name: error.name, message: redactor.redact(error.message) };
    lines.push(
      `  ${verdict === 'misconfigured' ? 'FAILED' : 'NOT CHECKED'}: ${error.name}: ${check.error.message}`,
    );
  };

  let page: Page | undefined;
  let failure: unknown;
  try {
    page = await ctx.readFirst(stream);
  } catch (error) {
    failure = error;
  }
  requestLines(ctx, def, page, lines);
  if (failure !== undefined) {
    failureLines(def, failure, lines, fail);
    return check;
  }
  if (!page) {
    lines.push(
      def.parent
        ? `  no request: the parent stream ${def.parent.stream}'s first page has no records, so there is no parent key to walk with`
        : '  no page (the stream has no walk: no partitions?)',
    );
    return check;
  }

  const records = page.records;
  check.records = records.length;
  if (isFileStream(def)) fileLines(def, page, lines);
  else
    lines.push(
      `  records path: ${def.records === '' ? 'the body itself' : `"${def.records}"`} found: ${records.length} records on the first page`,
    );
  if (page.filteredOut)
    lines.push(`    ${page.filteredOut} more outside the window (dropped by the cursor field)`);
  const problems = fieldLines(def, records, lines);
  lines.push(`  next: ${fileNext(page) ?? describeNext(def, page, redactor, ctx.hiddenParams)}`);
  sampleLines(definition, stream, records, check);
  if (problems.length > 0)
    fail('misconfigured', new CheckFailedError(`${definition.name}/${stream}: ${problems.join('; ')}`));
  return check;
}

/** The request(s) the first page took, credentials masked. */
function requestLines(ctx: StreamContext, def: StreamDefinition, page: Page | undefined, lines: string[]) {
  const { redactor } = ctx;
  const exchanges = ctx.exchanges();
  // The first page's request is the first one to the page's path; the ones after it are the
  // reader's read-ahead of the next page (left out).
  const pagePath = page && URL.canParse(page.url) ? new URL(page.url).pathname : undefined;
  const lastShown = pagePath
    ? exchanges.findIndex((e) => URL.canParse(e.url) && new URL(e.url).pathname === pagePath)
    : exchanges.length - 1;
  const shown = exchanges.slice(0, lastShown < 0 ? exchanges.length : lastShown + 1);
  // The headers the definition declares are shown (redacted); those auth added are masked whole.
  const declared = new Set(
    Object.keys({ ...ctx.definition.headers, ...def.headers }).map((k) => k.toLowerCase()),
  );
  lines.push('  request:');
  if (shown.length === 0) lines.push('    (none sent)');
  for (const e of shown) {
    lines.push(`    ${e.method} ${maskUrl(e.url, redactor, ctx.hiddenParams)}`);
    for (const [k, v] of e.headers) lines.push(`      ${k}: ${maskHeader(k, v, redactor, declared)}`);
    // ➕ The page's own request's body (a token exchange's is never shown).
    if (e === shown.at(-1) && e.method !== 'GET') {
      const contentType = e.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      lines.push(...bodyLines(e.body, contentType, redactor));
    }
    lines.push(`    status: ${e.status ?? '(no response)'}`);
  }
}

/** A first page that failed: why, with the body's keys and a did-you-mean for a records path not there. */
function failureLines(
  def: StreamDefinition,
  failure: unknown,
  lines: string[],
  fail: (verdict: StreamVerdict, error: Error) => void,
) {
  if (failure instanceof ParentUnreadable) {
    // The parent's error decides: the child cannot be read without a parent key.
    const cause = failure.cause instanceof Error ? failure.cause : new Error(String(failure.cause));
    lines.push(`  not read: ${failure.message}, so there is no parent key to walk with`);
    fail(verdictOf(cause), cause);
    return;
  }
  const error = failure instanceof Error ? failure : new Error(String(failure));
  if (isMissingRecords(error)) {
    lines.push(`  records path: "${def.records}" NOT FOUND`);
    const keys = keysListed(error.message);
    if (keys) {
      lines.push(`    the body's top-level keys: ${keys.join(', ')}`);
      const guess = didYouMean(def.records, keys);
      if (guess) lines.push(`    did you mean records: '${guess}'?`);
    }
  }
  fail(verdictOf(error), error);
}

/** How many records carry the primary key and the cursor field; the problems a page shows. */
function fieldLines(def: StreamDefinition, records: readonly ApiRecord[], lines: string[]): string[] {
  const problems: string[] = [];
  const keys = keysOf(def);
  if (keys.length > 0) {
    const getters = keys.map(compilePath);
    const withKey = records.filter((r) => getters.every((get) => present(get(r)))).length;
    lines.push(`  primary key [${keys.join(', ')}]: on ${withKey} of ${records.length} records`);
    if (records.length > 0 && withKey === 0)
      problems.push(`primary key [${keys.join(', ')}] is absent from every record of the first page`);
  } else lines.push('  primary key: none declared');
  const cursorField = def.incremental?.cursorField;
  if (cursorField) {
    const get = compilePath(cursorField);
    const withCursor = records.filter((r) => present(get(r))).length;
    lines.push(`  cursor field ${cursorField}: on ${withCursor} of ${records.length} records`);
    if (records.length > 0 && withCursor === 0)
      problems.push(`cursor field "${cursorField}" is absent from every record of the first page`);
  } else lines.push('  cursor field: none (not incremental)');
  return problems;
}

/** The first record (secret-looking values masked) and the columns the curate job would create. */
function sampleLines(
  definition: SourceDefinition,
  stream: string,
  records: readonly ApiRecord[],
  check: StreamCheck,
) {
  const { lines } = check;
  const def = definition.streams[stream]!;
  if (records.length === 0) {
    lines.push('  no records on the first page: nothing to sample (not an error: the window may be empty)');
    return;
  }
  lines.push('  sample record (the first; secret-looking values masked):');
  const text = JSON.stringify(maskRecord(records[0]), null, 2);
  const all = text.split('\n');
  for (const line of all.slice(0, 40)) lines.push(`    ${line}`);
  if (all.length > 40) lines.push(`    … (${all.length - 40} more lines)`);
  const columns = previewColumns(definition.name, stream, records, {
    childTables: def.childTables,
    primaryKey: def.primaryKey,
  });
  check.columns = columns;
  lines.push(
    `  columns (a preview from this page's ${records.length} records; a run's records may add more):`,
  );
  lines.push(
    `    raw table raw_${columns.curated.name}: ${columns.raw.map((c) => `${c.name} ${c.type}`).join(', ')}`,
  );
  lines.push(
    `    curated table ${columns.curated.name}: ${columns.curated.columns.map((c) => `${c.name} ${c.type}`).join(', ')} (+ metadata columns)`,
  );
  for (const child of columns.children)
    lines.push(
      `    child table ${child.name}: ${child.columns.map((c) => `${c.name} ${c.type}`).join(', ')}`,
    );
  for (const missing of columns.missingChildren)
    lines.push(
      `    childTables "${missing}" is not an array in this page: it would stay out of the child tables`,
    );
}

/** What the next request would be, from the paginator's state in the page's position. */
function describeNext(def: StreamDefinition, page: Page, redactor: Redactor, hidden: Set<string>): string {
  if (page.next === null)
    return "none: the first page is the stream's last (the paginator found no next page)";
  let position = page.next as Record<string, unknown>;
  let paginator: PaginatorDefinition = def.paginator;
  if (typeof position.feed === 'string') {
    // A change-feed stream: `{ feed, at }` (http/changeFeed.ts).
    if (position.feed === 'changes' && def.incremental?.changes)
      paginator = def.incremental.changes.paginator;
    position = (position.at ?? {}) as Record<string, unknown>;
  }
  if (position.w !== 0)
    return `the first walk ended; the next request starts walk ${Number(position.w) + 1} (the next partition or parent key)`;
  const kind = paginatorKinds[paginator.type] as unknown as {
    create(d: PaginatorDefinition): {
      request(s: unknown): { params?: Record<string, string>; url?: string };
    };
  };
  const state = position.s;
  const request = kind.create(paginator).request(state);
  let next: string;
  if (request.url !== undefined) next = request.url;
  else {
    const url = new URL(page.url);
    for (const [k, v] of Object.entries(request.params ?? {})) url.searchParams.set(k, v);
    next = url.href;
  }
  const method =
    paginator === def.paginator && def.request.type !== 'get'
      ? `${def.request.method} (body values as the state)`
      : 'GET';
  return `paginator ${paginator.type} state ${redactor.redact(JSON.stringify(state))} → ${method} ${maskUrl(next, redactor, hidden)}`;
}
