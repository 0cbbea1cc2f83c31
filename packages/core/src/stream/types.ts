/**
 * The contract between the HTTP layer (which walks a stream's pages) and the landing path
 * (which writes them to S3 and tracks continuation). Both sides depend only on this file.
 */
import type { CoordinationStore } from '../coordination/CoordinationStore.ts';
import type { JobProgress } from '../job/JobSchema.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The window a stream reads. `since` absent = everything (full refresh or first run). */
export interface Window {
  since?: Date;
  until: Date;
}

/**
 * Where a stream's reading stands, so that reading can resume exactly at the next page.
 * Opaque JSON to the landing path, which stores it in the handler's continuation.
 */
export type StreamPosition = JsonValue;

export type ApiRecord = Record<string, unknown>;

/** A page's records already as NDJSON: the API's own bytes, one record per line. */
export interface NdjsonLines {
  ndjson: Buffer;
  count: number;
}

export interface Page {
  /**
   * The page's records, as the API sent them (child records with the carried parent fields). On a
   * page with `lines`, parsed from them when first read: the landing path reads `lines` instead.
   */
  records: ApiRecord[];
  /** The records as NDJSON, when the reader took them straight from the body (see http/scanRecords). */
  lines?: NdjsonLines;
  /** 0-based index of the page within this invocation's reading of the stream. */
  index: number;
  /** The URL fetched, secrets stripped. */
  url: string;
  /** Where to resume to read the page after this one; `null` when the stream is done. */
  next: StreamPosition | null;
  /** The greatest cursor value in this page's records (incremental streams), as an ISO date. */
  maxCursor?: string;
  /**
   * Records the API sent outside the window, left out of `records`: the window bounds the stream's
   * requests do not carry are applied on the cursor field (http/windowFilter). Absent when 0.
   */
  filteredOut?: number;
  /**
   * On the last page of a walk: why the walk ended. `api` when the API said it was the end (the
   * paginator found no next page, an empty page); `ignored` when a response rule said `ignore`.
   * The watermark moves only when every walk ended with `api`: a walk cut short leaves rows unread.
   */
  end?: WalkEnd;
  /** ➕ With `ReadOptions.parentSince`: the parent key of the page's walk. */
  parentKey?: string;
  /** ➕ A window-stepped stream (`window`): the slice `[since, until)` this page was read in (ISO). */
  slice?: { since: string; until: string };
  /** ➕ The query's total (`window.totalPath`) as the page's body says it; absent when it does not. */
  total?: number;
}

export type WalkEnd = 'api' | 'ignored';

export interface ReadOptions {
  window: Window;
  /** Resume from a position a previous `Page.next` gave; absent = from the start. */
  from?: StreamPosition | null;
  /**
   * For a child stream: the parent's records of this run, in landing order (the same order on every
   * call). The reader walks once per distinct parent key (the parent values the child's path, params
   * and headers use; the first parent with a key is the one it walks with); its positions count
   * distinct keys so that resuming skips those done.
   */
  parents?: () => AsyncIterable<ApiRecord>;
  /**
   * ➕ For a child stream with state per parent: where the walk of each parent key reads from (its
   * `{since}`, and the client-side window filter's lower bound); `undefined` = everything. The pages
   * then say their walk's key (`Page.parentKey`).
   */
  parentSince?: (key: string) => Date | undefined;
  signal?: AbortSignal;
  /** ➕ A job stream's job (packages/core/src/job/): where it stands, kept in the continuation. */
  job?: JobHandle;
}

/** ➕ What a job stream's reader is given by the landing path: the job's state in the continuation. */
export interface JobHandle {
  /** The job as the continuation carries it; `null` until it is created. */
  readonly state: JobProgress | null;
  /** Keeps the job's new state in the continuation: the invocation moved forward (it may now stop). */
  save(state: JobProgress): void;
  /** True when the invocation must stop (the deadline): polling stops, the job is carried on. */
  shouldStop(): boolean;
  /** A task to run once the stream's manifest is committed (the job's clean-up). */
  afterCommit(task: () => Promise<void>): void;
}

/** Reads one stream page by page. Implemented by the HTTP layer. */
export type StreamReader = (stream: string, options: ReadOptions) => AsyncIterable<Page>;

/** What the HTTP layer reports as it goes; the landing path turns it into logs and metrics. */
export interface ReadObserver {
  onRequest?(info: { stream: string; url: string; page: number; attempt: number }): void;
  onRetry?(info: {
    stream: string;
    url: string;
    page: number;
    attempt: number;
    /** e.g. `HTTP 429`, `HTTP 503`, `ECONNRESET`, `timeout`. */
    reason: string;
    delayMs: number;
    rateLimited: boolean;
  }): void;
}

/** Everything a reader needs besides the definition; built by the handler from its environment. */
export interface ReaderContext {
  /** `API_BASE_URL` if set, else the definition's `baseUrl`. */
  baseUrl: string;
  /** `SECRET_NAME`; absent for sources without auth. */
  secretName?: string;
  /** `<SOURCE>_AUTH_TOKEN_URL` or `AUTH_TOKEN_URL`: replaces an OAuth2 definition's token URL (sandboxes, tests). */
  tokenUrl?: string;
  /** The coordination store (`COORDINATION_TABLE`): a credential's rate budget shared across Lambdas. */
  coordination?: CoordinationStore;
  observer?: ReadObserver;
  /** Where retries and warnings are logged. @default a Powertools Logger (service `tributary`) */
  logger?: ReaderLogger;
}

/** The logging the HTTP layer needs; Powertools' `Logger` fits. */
export interface ReaderLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}
