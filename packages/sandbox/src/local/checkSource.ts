/**
 * `pnpm check <source> [--stream s]`: reads the first page of each stream (or the one named) the way a
 * run reads it — the core's reader (`createReader`: the same auth, rate limit, retries, response
 * rules, records selection and paginators) against the configured API, real or local — and prints,
 * per stream: the request (method, URL, headers; credentials masked), the status, whether the
 * records path was found (else the keys the body has, and a did-you-mean), how many records carry
 * the primary key and the cursor field, the paginator's next state (what the next request would be),
 * a sample record (secret-looking values masked) and the columns the curate job would create (a
 * sample-based preview, previewColumns.ts). A child stream reads its parent's first page and walks
 * with the first parent key.
 *
 * It writes nothing: no S3 client, no bucket, no manifest, no watermark (it never builds a handler).
 * The environment is the function's (docs/local.md): `<SOURCE>_API_BASE_URL` / `API_BASE_URL`,
 * `<SOURCE>_AUTH_TOKEN_URL` / `AUTH_TOKEN_URL`, `SECRET_NAME` (default `api-credentials/<source>`,
 * the name the function's IAM policy allows), and the AWS environment the secret is read with.
 *
 * The requests are seen through Node's `http.client.*` diagnostics channels (what the transport sent,
 * after auth), never through a second HTTP client. Everything printed goes through a `Redactor` that
 * holds the secret's values; header values other than the harmless ones are masked whole.
 */
import dc from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceDefinition, StreamDefinition } from '@tributary/core';
import {
  type ApiRecord,
  compilePath,
  createReader,
  loadCredentials,
  type Page,
  type PaginatorDefinition,
  paginatorKinds,
  REDACTED,
  Redactor,
  readsSecret,
  type StreamReader,
  secretKeysOf,
  sourceEnvName,
} from '@tributary/core/definition';
import { AuthError, HttpError, MalformedResponseError, TributaryError } from '@tributary/core/errors';
import { sanitize } from '@tributary/core/raw-zone';
import { repoRoot } from './paths.ts';
import { type ColumnPreview, previewColumns } from './previewColumns.ts';

/** A definite misconfiguration found by `pnpm check` (the exit status is 1). */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError';
}

/** `pnpm check` could not be run as asked: an unknown source or stream, a module without a definition. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
}

export interface CheckOptions {
  source: string;
  /** Only this stream (a child stream still reads its parent's first page). */
  stream?: string;
  /** @default the definition `functions/<source>/src/source.ts` exports */
  definition?: SourceDefinition;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The window's end. @default now */
  now?: Date;
  /** @default the repository root */
  root?: string;
}

export type StreamVerdict = 'ok' | 'misconfigured' | 'unchecked';

export interface StreamCheck {
  stream: string;
  verdict: StreamVerdict;
  /** The sections printed for the stream, in order. */
  lines: string[];
  /** The typed error's name and message, on `misconfigured` and `unchecked`. */
  error?: { name: string; message: string };
  records: number;
  columns?: ColumnPreview;
}

export interface CheckResult {
  /** 0: nothing definitely wrong; 1: a definite misconfiguration; 2: a stream could not be checked. */
  exitCode: 0 | 1 | 2;
  output: string;
  streams: StreamCheck[];
}

/** Header names shown with their values; every other header's value is masked. */
const SHOWN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'user-agent',
  'content-type',
  'content-length',
  'host',
  'connection',
]);

/** Words that make a key look like a secret's (in its snake_case form): masked in the sample record and in URLs. */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'signature',
]);
const SECRET_PAIRS = /(^|_)(api|access|private|secret|session)_key($|_)|(^|_)session_id($|_)/;

/** `client_secret`, `accessToken`, `X-Api-Key`, `api_key`, `session_id`: yes; `author_association`, `authored_at`: no. */
function looksSecret(key: string): boolean {
  const snake = sanitize(key);
  return snake.split('_').some((word) => SECRET_WORDS.has(word)) || SECRET_PAIRS.test(snake);
}

interface Exchange {
  method: string;
  url: string;
  headers: [string, string][];
  status?: number;
}

/** The requests the transport sends while `run` runs, as Node's http client publishes them. */
function watchRequests() {
  const exchanges: Exchange[] = [];
  const byRequest = new WeakMap<ClientRequest, Exchange>();
  const onStart = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const host = String(request.getHeader('host') ?? request.host);
    const exchange: Exchange = {
      method: request.method,
      url: `${request.protocol}//${host}${request.path}`,
      headers: Object.entries(request.getHeaders()).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(', ') : String(v),
      ]),
    };
    byRequest.set(request, exchange);
    exchanges.push(exchange);
  };
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const exchange = byRequest.get(request);
    if (exchange) exchange.status = response.statusCode;
  };
  dc.subscribe('http.client.request.start', onStart);
  dc.subscribe('http.client.response.finish', onResponse);
  return {
    exchanges,
    stop() {
      dc.unsubscribe('http.client.request.start', onStart);
      dc.unsubscribe('http.client.response.finish', onResponse);
    },
  };
}

/** The source's definition, as its module exports it. */
export async function loadDefinition(source: string, root = repoRoot): Promise<SourceDefinition> {
  const file = join(root, 'functions', source, 'src', 'source.ts');
  if (!existsSync(file)) {
    throw new CheckUsageError(
      `no source "${source}": ${file} does not exist (sources live in functions/<name>/src/source.ts)`,
    );
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const found = Object.values(module).find(
    (v): v is SourceDefinition =>
      v !== null && typeof v === 'object' && (v as SourceDefinition).name === source && 'streams' in v,
  );
  if (!found) throw new CheckUsageError(`${file} exports no source definition named "${source}"`);
  return found;
}

/** Levenshtein distance, for the did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** The keys a `MalformedResponseError` of a missing records path lists (`its keys are [...]`). */
function keysListed(message: string): string[] | undefined {
  const match = /its keys are \[(.*?)(, … \(\d+ keys\))?\]/.exec(message);
  if (!match) return undefined;
  try {
    return JSON.parse(`[${match[1]}]`) as string[];
  } catch {
    return undefined;
  }
}

function didYouMean(path: string, keys: readonly string[]): string | undefined {
  const missing = path.split('.');
  const wanted = missing[missing.length - 1]!.toLowerCase();
  const ranked = keys
    .map((k) => ({ k, d: distance(wanted, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(wanted.length / 3)) || k.toLowerCase().includes(wanted))
    .sort((a, b) => a.d - b.d);
  return ranked[0]?.k;
}

export async function checkSource(options: CheckOptions): Promise<CheckResult> {
  const env = options.env ?? process.env;
  const definition = options.definition ?? (await loadDefinition(options.source, options.root));
  const name = definition.name;
  if (options.stream !== undefined && !definition.streams[options.stream]) {
    throw new CheckUsageError(
      `no stream "${options.stream}" in source ${name}; streams: ${Object.keys(definition.streams).join(', ')}`,
    );
  }
  const value = (variable: string) => env[variable]?.trim() || undefined;
  const baseUrl = value(sourceEnvName(name, 'API_BASE_URL')) ?? value('API_BASE_URL') ?? definition.baseUrl;
  const tokenUrl = value(sourceEnvName(name, 'AUTH_TOKEN_URL')) ?? value('AUTH_TOKEN_URL');
  const secretName =
    value('SECRET_NAME') ?? (definition.auth.type === 'none' ? undefined : `api-credentials/${name}`);

  const redactor = new Redactor();
  const hiddenParams = new Set<string>(
    Object.values(definition.auth).filter((v): v is string => typeof v === 'string'),
  );
  const header: string[] = [
    `pnpm check ${name}: the first page of ${options.stream ? `stream ${options.stream}` : 'each stream'}, read as a run reads it; nothing is written`,
    `  API: ${baseUrl}${tokenUrl ? `   token URL: ${tokenUrl}` : ''}`,
    `  credentials: ${secretName ? `secret ${secretName}` : 'none (auth none)'}`,
  ];
  if (secretName && readsSecret(definition.auth)) {
    // The reader loads the same secret (cached): its values are what the output must never show.
    try {
      const credentials = await loadCredentials(secretName, { keys: secretKeysOf(definition.auth) });
      redactor.add(...credentials.values());
    } catch (error) {
      const e = error as Error;
      const streams: StreamCheck[] = [];
      const output = [...header, '', `cannot read the secret: ${e.name}: ${redactor.redact(e.message)}`].join(
        '\n',
      );
      return { exitCode: e instanceof TributaryError ? 1 : 2, output, streams };
    }
  }

  const warnings: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn(message: string) {
      warnings.push(message);
    },
  };
  const watch = watchRequests();
  const reader = createReader(definition, { baseUrl, secretName, tokenUrl, logger });
  const now = options.now ?? new Date();
  const firstPages = new Map<string, Promise<Page | undefined>>();
  const readFirst = (stream: string): Promise<Page | undefined> => {
    let pending = firstPages.get(stream);
    if (!pending) {
      pending = firstPage(reader, definition, stream, now, readFirst);
      firstPages.set(stream, pending);
    }
    return pending;
  };

  const wanted = options.stream ? [options.stream] : Object.keys(definition.streams);
  const streams: StreamCheck[] = [];
  try {
    for (const stream of wanted) {
      const from = watch.exchanges.length;
      const before = warnings.length;
      const check = await checkStream({
        definition,
        stream,
        readFirst,
        exchanges: () => watch.exchanges.slice(from),
        redactor,
        hiddenParams,
      });
      for (const w of warnings.slice(before)) check.lines.push(`  warning (logged by the reader): ${w}`);
      streams.push(check);
    }
  } finally {
    watch.stop();
  }
  const misconfigured = streams.filter((s) => s.verdict === 'misconfigured');
  const unchecked = streams.filter((s) => s.verdict === 'unchecked');
  const summary =
    misconfigured.length > 0
      ? `MISCONFIGURED: ${misconfigured.map((s) => `${s.stream} (${s.error?.name})`).join(', ')}`
      : unchecked.length > 0
        ? `NOT CHECKED: ${unchecked.map((s) => `${s.stream} (${s.error?.name})`).join(', ')}: the API did not answer usefully; try again`
        : `OK: ${streams.length} stream${streams.length === 1 ? '' : 's'} read their first page`;
  for (const s of streams) s.lines = s.lines.map((line) => redactor.redact(line));
  const text = [...header, ...streams.flatMap((s) => ['', ...s.lines]), '', summary].join('\n');
  return {
    exitCode: misconfigured.length > 0 ? 1 : unchecked.length > 0 ? 2 : 0,
    output: redactor.redact(text),
    streams,
  };
}

async function firstPage(
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

const isMissingRecords = (error: Error) =>
  error instanceof MalformedResponseError && /^(no records at|expected an array)/.test(error.message);

/**
 * A failed first page: a definite misconfiguration (a records path that is not there, a 4xx not
 * retried — 401/403 refused credentials, 404 a wrong path, 400 a wrong param —, any other error that
 * a retry does not mend: the environment, the secret, a template), or not checked (retries
 * exhausted, a 5xx the API failed with, a network failure).
 */
function verdictOf(error: Error): StreamVerdict {
  if (isMissingRecords(error)) return 'misconfigured';
  if (error instanceof HttpError)
    return error instanceof AuthError || error.status < 500 ? 'misconfigured' : 'unchecked';
  return error instanceof TributaryError && !error.retryable ? 'misconfigured' : 'unchecked';
}

/** The parent's first page failed: the child stream cannot be checked. */
class ParentUnreadable extends Error {
  constructor(
    readonly parent: string,
    override readonly cause: unknown,
  ) {
    super(`the parent stream ${parent} could not be read`);
  }
}

interface StreamContext {
  definition: SourceDefinition;
  stream: string;
  readFirst: (stream: string) => Promise<Page | undefined>;
  exchanges: () => Exchange[];
  redactor: Redactor;
  hiddenParams: Set<string>;
}

function maskUrl(url: string, redactor: Redactor, hidden: Set<string>): string {
  if (!URL.canParse(url)) return redactor.redact(url);
  const parsed = new URL(url);
  const names = [...parsed.searchParams.keys()].filter((k) => hidden.has(k) || looksSecret(k));
  return redactor.url(parsed, names);
}

function maskHeader(name: string, value: string, redactor: Redactor, declared: Set<string>): string {
  const lower = name.toLowerCase();
  if ((SHOWN_HEADERS.has(lower) || declared.has(lower)) && !looksSecret(name)) return redactor.redact(value);
  const scheme = /^(Bearer|Basic|Token|Bot|Digest|OAuth)\s+\S/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

/** A record with secret-looking keys' values masked, at any depth. */
function maskRecord(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskRecord);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, looksSecret(k) && v !== null ? REDACTED : maskRecord(v)]),
  );
}

function keysOf(stream: StreamDefinition): string[] {
  const pk = stream.primaryKey;
  return pk === undefined ? [] : typeof pk === 'string' ? [pk] : pk;
}

const present = (v: unknown) => v !== undefined && v !== null;

async function checkStream(ctx: StreamContext): Promise<StreamCheck> {
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
    Object.keys({ ...definition.headers, ...def.headers }).map((k) => k.toLowerCase()),
  );
  lines.push('  request:');
  if (shown.length === 0) lines.push('    (none sent)');
  for (const e of shown) {
    lines.push(`    ${e.method} ${maskUrl(e.url, redactor, ctx.hiddenParams)}`);
    for (const [k, v] of e.headers) lines.push(`      ${k}: ${maskHeader(k, v, redactor, declared)}`);
    lines.push(`    status: ${e.status ?? '(no response)'}`);
  }

  if (failure instanceof ParentUnreadable) {
    // The parent's error decides: the child cannot be read without a parent key.
    const cause = failure.cause instanceof Error ? failure.cause : new Error(String(failure.cause));
    lines.push(`  not read: ${failure.message}, so there is no parent key to walk with`);
    fail(verdictOf(cause), cause);
    return check;
  }
  if (failure !== undefined) {
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
  lines.push(
    `  records path: ${def.records === '' ? 'the body itself' : `"${def.records}"`} found: ${records.length} records on the first page`,
  );
  if (page.filteredOut)
    lines.push(`    ${page.filteredOut} more outside the window (dropped by the cursor field)`);

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

  lines.push(`  next: ${describeNext(def, page, redactor, ctx.hiddenParams)}`);

  if (records.length > 0) {
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
  } else {
    lines.push('  no records on the first page: nothing to sample (not an error: the window may be empty)');
  }
  if (problems.length > 0)
    fail('misconfigured', new CheckFailedError(`${definition.name}/${stream}: ${problems.join('; ')}`));
  return check;
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
  return `paginator ${paginator.type} state ${redactor.redact(JSON.stringify(state))} → ${paginator === def.paginator && def.request.type !== 'get' ? `${def.request.method} (body values as the state)` : 'GET'} ${maskUrl(next, redactor, hidden)}`;
}
