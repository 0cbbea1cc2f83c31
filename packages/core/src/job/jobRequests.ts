/**
 * The job's own requests: create, poll, clean-up. Each renders its path (and the create its JSON
 * body) from the templates (`{since}`, `{until:unixMs}`, `{job.id}`), sends it through the source's
 * HttpClient (credentials, rate limit, retries, response table) and reads the JSON answer. The
 * answers of a job API's control endpoints are JSON; the RESULTS are read by the stream's own
 * reader, with its decoder (nothing here assumes JSON results).
 */
import type { StreamDefinition } from '../definition/schema.ts';
import {
  type ErrorWhere,
  HttpError,
  JobFailedError,
  MalformedResponseError,
  TemplateError,
} from '../errors.ts';
import type { HttpClient } from '../http/HttpClient.ts';
import { parseJson } from '../http/parseJson.ts';
import type { ReadDeps } from '../http/readStream.ts';
import type { HttpRequest, HttpResponse, ReaderLogger } from '../http/types.ts';
import type { JsonValue } from '../stream/types.ts';
import { compilePath } from '../template/getPath.ts';
import { compileTemplate, renderTemplate, type TemplateValues } from '../template/template.ts';
import type { JobDefinition } from './JobSchema.ts';

export interface JobDeps extends ReadDeps {
  logger: ReaderLogger;
  /** The base URL in use (`API_BASE_URL`, else the definition's). */
  baseUrl: string;
  /** The reader's default headers (User-Agent, Accept…). */
  headers: Record<string, string>;
}

/** What a poll said. */
export type PollAnswer =
  | { kind: 'running' | 'done'; status: string }
  | { kind: 'failed'; status: string; message?: string };

export class JobRequests {
  readonly #job: JobDefinition;
  readonly #deps: JobDeps;
  readonly #where: ErrorWhere;
  readonly #headers: (values: TemplateValues) => Record<string, string>;

  constructor(stream: string, definition: StreamDefinition, deps: JobDeps) {
    this.#job = definition.job!;
    this.#deps = deps;
    this.#where = { source: deps.definition.name, stream };
    // The source's headers only: the stream's own describe the RESULTS requests (an `Accept: text/csv`
    // there must not reach the create or the poll, whose answers are JSON).
    const templates = Object.entries(deps.definition.headers).map(
      ([name, text]) => [name, compileTemplate(text)] as const,
    );
    this.#headers = (values) => {
      const out: Record<string, string> = { ...deps.headers };
      for (const [name, template] of templates) {
        const rendered = renderTemplate(template, values);
        if (rendered.missing === undefined) out[name] = rendered.value;
      }
      return out;
    };
  }

  get source(): string {
    return this.#deps.definition.name;
  }

  /** Creates the job; its id. */
  async create(values: TemplateValues, signal: AbortSignal | undefined): Promise<string> {
    const { create } = this.#job;
    const url = this.#url(create.path, values, 'job.create.path');
    const body = renderBody(create.request.body, values, 'job.create.request.body', this.#where);
    const response = await sendCreate(
      this.#deps.client,
      {
        method: create.request.method,
        url,
        headers: { ...this.#headers(values), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      },
      { stream: this.#where.stream, signal, retrySafe: create.request.retrySafe },
    );
    const where = { ...this.#where, url: response.url };
    const id = compilePath(create.idPath)(parseJson(response, this.#deps.redactor, where));
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '') {
      const snippet = this.#deps.redactor.snippet(response.body);
      throw new MalformedResponseError(
        `the job create answer has no id at "${create.idPath}" (check job.create.idPath): ${snippet}`,
        { snippet, where },
      );
    }
    return String(id);
  }

  /** Asks the job's status once. A 404 (the job expired, or was deleted) is a `JobFailedError`. */
  async poll(id: string, values: TemplateValues, signal: AbortSignal | undefined): Promise<PollAnswer> {
    const { poll } = this.#job;
    const url = this.#url(poll.path, values, 'job.poll.path');
    let response: HttpResponse;
    try {
      response = await this.#deps.client.send(
        { method: 'GET', url, headers: this.#headers(values) },
        { stream: this.#where.stream, signal },
      );
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 404) throw error;
      throw new JobFailedError(
        `job ${id} is gone (HTTP 404 on poll: expired or deleted): ${error.snippet}; a new run creates a new job`,
        { jobId: id, apiMessage: error.snippet, where: { ...this.#where, url: error.url }, cause: error },
      );
    }
    const body = parseJson(response, this.#deps.redactor, { ...this.#where, url: response.url });
    const status = String(compilePath(poll.statusPath)(body) ?? '');
    if (poll.done.includes(status)) return { kind: 'done', status };
    if (!poll.failed.includes(status)) return { kind: 'running', status };
    const message = poll.messagePath ? compilePath(poll.messagePath)(body) : undefined;
    return {
      kind: 'failed',
      status,
      ...(message !== undefined &&
        message !== null && { message: this.#deps.redactor.redact(String(message)) }),
    };
  }

  /** Deletes the job; a failure is logged (the job expires on the API's side), never thrown. */
  async cleanup(id: string, values: TemplateValues): Promise<void> {
    const cleanup = this.#job.cleanup;
    if (!cleanup) return;
    try {
      const url = this.#url(cleanup.path, values, 'job.cleanup.path');
      await this.#deps.client.send(
        { method: cleanup.method, url, headers: this.#headers(values) },
        { stream: this.#where.stream },
      );
    } catch (error) {
      this.#deps.logger.warn('job clean-up failed (not fatal: the API expires the job)', {
        stream: this.#where.stream,
        jobId: id,
        errorName: (error as Error).name,
        errorMessage: this.#deps.redactor.redact((error as Error).message),
      });
    }
  }

  #url(path: string, values: TemplateValues, at: string): URL {
    const rendered = renderTemplate(compileTemplate(path), values, encodeURIComponent);
    if (rendered.missing !== undefined)
      throw new TemplateError(`${at}: {${rendered.missing}} has no value in this run`, {
        where: this.#where,
      });
    const base = this.#deps.baseUrl.replace(/\/+$/, '');
    return new URL(
      /^https?:\/\//i.test(rendered.value)
        ? rendered.value
        : base + (rendered.value.startsWith('/') ? '' : '/') + rendered.value,
    );
  }
}

/**
 * The create request, sent. One function, so that it moves onto the request registry
 * (packages/core/src/request/, `request: { type: 'json', … }`) once that lands: there `retrySafe`
 * decides whether a 5xx or a timeout is retried; until then the client's own retry rules apply.
 */
function sendCreate(
  client: HttpClient,
  request: Omit<HttpRequest, 'method'> & { method: 'POST' | 'PUT' },
  info: { stream: string | undefined; signal: AbortSignal | undefined; retrySafe: boolean },
): Promise<HttpResponse> {
  return client.send(request, { stream: info.stream, signal: info.signal });
}

/** The body with its string leaves rendered; a placeholder without a value is a `TemplateError`. */
export function renderBody(
  body: JsonValue,
  values: TemplateValues,
  at: string,
  where: ErrorWhere,
): JsonValue {
  if (typeof body === 'string') {
    const rendered = renderTemplate(compileTemplate(body), values);
    if (rendered.missing === undefined) return rendered.value;
    const hint =
      rendered.missing === 'since'
        ? ' (a full read has no {since}: give incremental.initialSince, or leave {since} out of the body)'
        : '';
    throw new TemplateError(`${at}: {${rendered.missing}} has no value in this run${hint}`, { where });
  }
  if (Array.isArray(body)) return body.map((v, i) => renderBody(v, values, `${at}[${i}]`, where));
  if (body !== null && typeof body === 'object')
    return Object.fromEntries(
      Object.entries(body).map(([k, v]) => [k, renderBody(v, values, `${at}.${k}`, where)]),
    );
  return body;
}
