/**
 * The declarative source definition: the single source of truth for what a source is.
 * Types derive from these schemas; `defineSource` validates once, when the module loads.
 */
// A namespace import, not `{ z }`: esbuild tree-shakes it, and zod's locales (260 KB) stay out of the bundle.
import * as z from 'zod';
import { AuthSchema } from '../auth/registry.ts';
import { DecoderSchema } from '../decoding/registry.ts';
import { sliceDurationProblem } from '../handler/slices.ts';
import { JobSchema } from '../job/JobSchema.ts';
import { PaginatorSchema } from '../pagination/registry.ts';
import { RequestSchema } from '../request/registry.ts';
import { Scalar } from './fields.ts';
import { WindowStepSchema } from './window.ts';

// The kinds' unions are built from their registries (definition/kinds.ts), re-exported here with the rest.
export { type AuthDefinition, AuthSchema } from '../auth/registry.ts';
export { type DecoderDefinition, DecoderSchema } from '../decoding/registry.ts';
export { type PaginatorDefinition, PaginatorSchema } from '../pagination/registry.ts';
export { type RequestDefinition, RequestSchema } from '../request/registry.ts';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const STREAM_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Query params. String values may hold templates: `{since}`, `{until:unix}`, `{owner}`, `{parent.number}`.
 * A list repeats the param once per value, in order: `{ 'types[]': ['a', 'b'] }` → `types[]=a&types[]=b`.
 */
const ParamMap = z.record(z.string(), z.union([Scalar, z.array(Scalar).min(1)]));

/**
 * What a response means: `ok` (a success: the body is data), `retry` (transient, back off),
 * `notReady` (a 2xx that is not data yet, e.g. Socrata's `202 Request Processing`: retried with
 * backoff like `retry`, then a `TransientError`), `rateLimited` (wait as the headers say, or back
 * off), `fail` (fatal, named), `refreshAuth` (renew credentials once, then retry; fatal again
 * after), `ignore` (no records: the walk ends, but not at the API's own end, so the stream's
 * watermark does not move, e.g. a 404 for a deleted parent), `empty` (the API's documented "nothing
 * here": the walk lands 0 records and ends normally, at the API's own end, e.g. GitHub's `409 Git
 * Repository is empty.` on commits).
 */
export const ResponseActionSchema = z.enum([
  'ok',
  'retry',
  'notReady',
  'rateLimited',
  'fail',
  'refreshAuth',
  'ignore',
  'empty',
]);

/** A status (`429`), a class (`'5xx'`). */
const StatusMatch = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'a status class is "1xx" … "5xx"'),
]);

/**
 * One row of the response table; the first matching row decides. Source rows come before the
 * defaults (`defaultResponseRules`). A response no row matches is fine when 2xx, else `fail`.
 */
export const ResponseRuleSchema = z.strictObject({
  /** `429`, `'5xx'`, or a list of them. */
  status: z.union([StatusMatch, z.array(StatusMatch).min(1)]),
  /** Every listed header must equal the value (names and values case-insensitive); `'*'` = present. */
  headers: z.record(z.string(), z.string()).optional(),
  /** The body must contain this text (case-insensitive). */
  bodyContains: z.string().optional(),
  action: ResponseActionSchema,
});

/**
 * A change feed: an endpoint that lists changes to the stream's records (Stripe's `/v1/events`), each
 * carrying the record as it is after the change. A stream with one reads it from the watermark on;
 * a run without a watermark, or whose `since` is older than `retentionSeconds`, reads the stream's
 * own endpoint in full instead (logged). Each landed record carries the stream's `cursorField`: on
 * the feed, the change's `changedAt`; on a full read, the window's `until` (the time the list was
 * current). Newest-wins on that cursor keeps the latest version of each record.
 */
export const ChangesSchema = z.strictObject({
  /** Path relative to the base URL, e.g. `/v1/events`. */
  path: z.string().min(1),
  /** Params of the feed, the window included: `{ 'types[]': [...], 'created[gte]': '{since:unix}' }`. */
  params: ParamMap.default({}),
  /** Where the changes are in the body, e.g. `data`. @default '' */
  records: z.string().default(''),
  paginator: PaginatorSchema.default({ type: 'single' }),
  /** Path in each change of the changed record, e.g. `data.object`. A change without an object there is skipped. */
  record: z.string().min(1),
  /** Path in each change of its time, a value that grows with every change, e.g. `created`. Written as `cursorType`. */
  changedAt: z.string().min(1),
  /** How long the API keeps changes, e.g. 30 days for Stripe's events. */
  retentionSeconds: z.number().int().positive(),
});

export const IncrementalSchema = z.strictObject({
  /** Path of the cursor in each record, e.g. `updated_at` or `purchase.approved_date`. */
  cursorField: z.string().min(1),
  /** How the cursor value is written in records. @default 'iso' */
  cursorType: z.enum(['iso', 'unix', 'unixMs']).default('iso'),
  /** Params that carry the window, as templates: `{ since: '{since}' }`, `{ 'created[gte]': '{since:unix}' }`. */
  params: ParamMap.default({}),
  /** Re-read this many seconds before the watermark. @default 0 */
  lookbackSeconds: z.number().int().nonnegative().default(0),
  /** Lower bound on a first run without watermark: ISO date, or absent for everything. */
  initialSince: z.string().optional(),
  /** Follow changes through a change feed (the window params then go in `changes.params`). */
  changes: ChangesSchema.optional(),
});

export const ParentSchema = z.strictObject({
  /** The parent stream's name; it runs first. */
  stream: z.string().regex(STREAM_NAME),
  /** Parent record fields copied into each child record: `{ issue_number: 'number' }` (child field → parent path). */
  carry: z.record(z.string(), z.string()).default({}),
  /**
   * ➕ Where an incremental child's `{since}` comes from: `shared`, the stream's one watermark; or
   * `perParent`, each parent key's own watermark (handler/parentState.ts). @default 'shared'
   */
  state: z.enum(['shared', 'perParent']).default('shared'),
  /** ➕ With `state: 'perParent'`: the parent keys whose watermarks are kept (the oldest beyond it fall back). @default 10000 */
  maxParents: z.number().int().positive().default(10_000),
});

const CheckLevel = z.enum(['error', 'warn']);

/**
 * Data quality checks the curate job evaluates on the stream's curated table after each run, named
 * as Glue Data Quality's rules (docs/contracts.md, Checks). A failed `error` check fails the run.
 */
export const ChecksSchema = z.strictObject({
  /** `IsComplete` and `IsUnique` of the primary key (merge streams). @default 'error' */
  primaryKey: z.enum(['error', 'warn', 'off']).default('error'),
  /** `DataFreshness`: the newest cursor value in the table is no older than `maxAgeHours`. */
  freshness: z
    .strictObject({ maxAgeHours: z.number().positive(), level: CheckLevel.default('warn') })
    .optional(),
  /** `RowCount`: the table's rows after a run within ± `band` (a fraction) of its rows before; `null`: off. */
  rowCount: z
    .strictObject({ band: z.number().positive(), level: CheckLevel.default('warn') })
    .nullable()
    .default({ band: 0.5, level: 'warn' }),
});

export const StreamSchema = z.strictObject({
  /** Path relative to the base URL, with `{placeholders}` from the partition and `{parent.<path>}`. */
  path: z.string().min(1),
  params: ParamMap.default({}),
  headers: z.record(z.string(), z.string()).default({}),
  /** ➕ How each page is asked for: a GET, or a POST/PUT with a JSON or form body (definition/README.md, "Request styles"). @default { type: 'get' } */
  request: RequestSchema.default({ type: 'get' }),
  /** Where the records are in the body: `data`, `items`, `data.items`; `''` for a root array; ➕ wildcards `data.*.items`, `results[*].rows` (http/recordsPath.ts). @default '' */
  records: z.string().default(''),
  paginator: PaginatorSchema.default({ type: 'single' }),
  /** How a body becomes records: `json` (buffered, `records` applies) or a streamed file kind. @default { type: 'json' } */
  decoder: DecoderSchema.default({ type: 'json' }),
  /**
   * A streamed (non-json) body's compression: `auto` detects gzip or zip by content type and magic
   * bytes (`content-encoding` is always decoded by the transport). @default 'auto'
   */
  compression: z.enum(['auto', 'gzip', 'zip', 'none']).default('auto'),
  primaryKey: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  incremental: IncrementalSchema.optional(),
  /** ➕ Walk the window in slices (definition/window.ts); needs `incremental`. */
  window: WindowStepSchema.optional(),
  /** Static partitions: the stream runs once per entry, each entry's values filling path/param placeholders. */
  partitions: z.array(z.record(z.string(), Scalar)).optional(),
  /**
   * Fields each record of a partition gets, as templates over the partition's values (record field →
   * template): `{ repository: '{owner}/{repo}' }`, for an API whose records do not say which
   * partition they belong to. Needs `partitions`.
   */
  partitionFields: z.record(z.string(), z.string()).optional(),
  parent: ParentSchema.optional(),
  /** @default 'merge' with a primary key, else 'append' */
  writeDisposition: z.enum(['merge', 'append', 'replace']).optional(),
  /** Array fields the curate job explodes into child tables `<source>_<stream>__<field>`. */
  childTables: z.array(z.string()).default([]),
  /**
   * What the curated table does when a run brings new or changed columns: `evolve` adds and widens
   * them; `freeze` fails the stream's curation (`SchemaContractError`, the raw zone keeps the run);
   * `discardColumns` adds none and keeps their values in a `_rescued` JSON column. @default 'evolve'
   */
  schemaContract: z.enum(['evolve', 'freeze', 'discardColumns']).default('evolve'),
  /** @default { primaryKey: 'error', rowCount: { band: 0.5, level: 'warn' } } */
  checks: ChecksSchema.default({ primaryKey: 'error', rowCount: { band: 0.5, level: 'warn' } }),
  /** Loop protection. @default 10000 */
  maxPages: z.number().int().positive().default(10_000),
  /**
   * ➕ An async report job (job/JobSchema.ts): created, polled, then its results read with this
   * stream's `path`, `params` and `paginator` (templates may use `{job.id}`).
   */
  job: JobSchema.optional(),
  /** Rows checked before the source's `responseRules`, for this stream's requests only. */
  responseRules: z.array(ResponseRuleSchema).default([]),
  /** A per-record quirk: returns the record to land (or `undefined` to drop it). Keep it pure. */
  transform: z
    .custom<(record: Record<string, unknown>) => Record<string, unknown> | undefined>(
      (v) => typeof v === 'function',
      'transform must be a function',
    )
    .optional(),
});

export const RetrySchema = z.strictObject({
  /** Attempts per request, the first included. @default 8 */
  maxAttempts: z.number().int().positive().default(8),
  /** @default 500 */
  baseDelayMs: z.number().int().nonnegative().default(500),
  /** Cap on one backoff (not on a server-given Retry-After). @default 30000 */
  maxDelayMs: z.number().int().nonnegative().default(30_000),
  /** Cap on all waiting for one request, server-given waits included. @default 300000 */
  maxTotalWaitMs: z.number().int().nonnegative().default(300_000),
});

export const RateLimitSchema = z.strictObject({
  /**
   * Requests per second across the source, never more in any 1 s window: starts spaced
   * `1000 / requestsPerSecond` ms apart plus a 5 % margin (`RATE_MARGIN`). Absent = unlimited.
   */
  requestsPerSecond: z.number().positive().optional(),
  /** Requests in flight across the source (in each invocation). @default 4 */
  concurrency: z.number().int().positive().default(4),
  /**
   * Who shares `requestsPerSecond`: `'credential'` = every Lambda using the source's secret at once,
   * through the coordination store (`COORDINATION_TABLE`); `'invocation'` = each invocation on its
   * own. @default 'credential' for a source with auth when the store is configured, else 'invocation'
   */
  scope: z.enum(['credential', 'invocation']).optional(),
});

export const TimeoutSchema = z.strictObject({
  /** Opening a TCP connection (a kept-alive one is reused). @default 10000 */
  connectMs: z.number().int().positive().default(10_000),
  /** Whole request, from sending to the last byte of the body; a slow body fails here. @default 60000 */
  totalMs: z.number().int().positive().default(60_000),
});

export const SourceSchema = z.strictObject({
  name: z.string().regex(NAME, 'a source name is lowercase words joined by "-"'),
  baseUrl: z.url(),
  auth: AuthSchema.default({ type: 'none' }),
  headers: z.record(z.string(), z.string()).default({}),
  params: ParamMap.default({}),
  rateLimit: RateLimitSchema.default({ concurrency: 4 }),
  retry: RetrySchema.default({
    maxAttempts: 8,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxTotalWaitMs: 300_000,
  }),
  timeouts: TimeoutSchema.default({ connectMs: 10_000, totalMs: 60_000 }),
  responseRules: z.array(ResponseRuleSchema).default([]),
  streams: z
    .record(z.string().regex(STREAM_NAME, 'a stream name is lowercase letters, digits and "_"'), StreamSchema)
    .refine((s) => Object.keys(s).length > 0, 'a source needs at least one stream'),
  /** Handler tuning. */
  runtime: z
    .strictObject({
      /** Stop this long before the Lambda deadline and return `partial`. @default 60000 */
      safetyMarginMs: z.number().int().nonnegative().default(60_000),
      /** Start a new part file after this many bytes of NDJSON. @default 64 MiB */
      partSizeBytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      /** Streams run at once (children wait for their parents). @default 2 */
      streamConcurrency: z.number().int().positive().default(2),
    })
    .default({ safetyMarginMs: 60_000, partSizeBytes: 64 * 1024 * 1024, streamConcurrency: 2 }),
  /**
   * ➕ Backfills: `slice` is the default slice length (ISO-8601 weeks/days/hours/minutes, e.g. `P30D`)
   * the state machine splits a windowed run of this source into, when its input names none.
   * serverless.yml's `custom.slicedByDefault` lists the sources that declare one (a test checks).
   */
  backfill: z
    .strictObject({
      slice: z.string().superRefine((s, ctx) => {
        const problem = sliceDurationProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    })
    .optional(),
});

export type SourceInput = z.input<typeof SourceSchema>;
export type SourceDefinition = z.output<typeof SourceSchema>;
export type StreamDefinition = z.output<typeof StreamSchema>;
export type ResponseRule = z.output<typeof ResponseRuleSchema>;
export type ResponseAction = z.output<typeof ResponseActionSchema>;
export type IncrementalDefinition = z.output<typeof IncrementalSchema>;
export type ChangesDefinition = z.output<typeof ChangesSchema>;
export type RetryPolicy = z.output<typeof RetrySchema>;
