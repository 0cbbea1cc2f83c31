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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceDefinition } from '@tributary/core';
import {
  createReader,
  loadCredentials,
  type Page,
  Redactor,
  readsSecret,
  secretKeysOf,
  sourceEnvName,
} from '@tributary/core/definition';
import { TributaryError } from '@tributary/core/errors';
import { watchRequests } from './checkRequests.ts';
import { checkStream, firstPage } from './checkStream.ts';
import { CheckUsageError, type StreamCheck } from './checkVerdict.ts';
import { repoRoot } from './paths.ts';

export { CheckFailedError, CheckUsageError, type StreamCheck, type StreamVerdict } from './checkVerdict.ts';

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

export interface CheckResult {
  /** 0: nothing definitely wrong; 1: a definite misconfiguration; 2: a stream could not be checked. */
  exitCode: 0 | 1 | 2;
  output: string;
  streams: StreamCheck[];
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

/** Where the check reads from: the function's environment, as docs/local.md gives it. */
function endpoints(definition: SourceDefinition, env: NodeJS.ProcessEnv) {
  const name = definition.name;
  const value = (variable: string) => env[variable]?.trim() || undefined;
  return {
    baseUrl: value(sourceEnvName(name, 'API_BASE_URL')) ?? value('API_BASE_URL') ?? definition.baseUrl,
    tokenUrl: value(sourceEnvName(name, 'AUTH_TOKEN_URL')) ?? value('AUTH_TOKEN_URL'),
    secretName:
      value('SECRET_NAME') ?? (definition.auth.type === 'none' ? undefined : `api-credentials/${name}`),
  };
}

export async function checkSource(options: CheckOptions): Promise<CheckResult> {
  const definition = options.definition ?? (await loadDefinition(options.source, options.root));
  const name = definition.name;
  if (options.stream !== undefined && !definition.streams[options.stream]) {
    throw new CheckUsageError(
      `no stream "${options.stream}" in source ${name}; streams: ${Object.keys(definition.streams).join(', ')}`,
    );
  }
  const { baseUrl, tokenUrl, secretName } = endpoints(definition, options.env ?? process.env);
  const redactor = new Redactor();
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
      const output = [...header, '', `cannot read the secret: ${e.name}: ${redactor.redact(e.message)}`].join(
        '\n',
      );
      return { exitCode: e instanceof TributaryError ? 1 : 2, output, streams: [] };
    }
  }
  const streams = await checkStreams(definition, options, { baseUrl, tokenUrl, secretName }, redactor);
  return summarize(header, streams, redactor);
}

/** Each wanted stream's check, the reader's warnings added to the stream they came with. */
async function checkStreams(
  definition: SourceDefinition,
  options: CheckOptions,
  endpoint: ReturnType<typeof endpoints>,
  redactor: Redactor,
): Promise<StreamCheck[]> {
  const hiddenParams = new Set<string>(
    Object.values(definition.auth).filter((v): v is string => typeof v === 'string'),
  );
  const warnings: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn(message: string) {
      warnings.push(message);
    },
  };
  const watch = watchRequests();
  const reader = createReader(definition, { ...endpoint, logger });
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
  return streams;
}

function summarize(header: string[], streams: StreamCheck[], redactor: Redactor): CheckResult {
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
