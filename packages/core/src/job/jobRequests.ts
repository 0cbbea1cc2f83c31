/**
 * The job's own requests: create, poll, clean-up. Each renders its path (and the create its body,
 * by its request style, request/) from the templates (`{since}`, `{until:unixMs}`, `{job.id}`), sends it through the source's
 * HttpClient (credentials, rate limit, retries, response table) and reads the JSON answer. The
 * answers of a job API's control endpoints are JSON; the RESULTS are read by the stream's own
 * reader, with its decoder (nothing here assumes JSON results).
 */
import type { StreamDefinition } from '../definition/schema.ts';
import { compilePath } from '../definition/template/getPath.ts';
import { compileTemplate, type Template, type TemplateValues } from '../definition/template/template.ts';
import { HttpError, JobFailedError, MalformedResponseError, TemplateError } from '../errors.ts';
import { parseJson } from '../http/parseJson.ts';
import type { ReadDeps } from '../http/readStream.ts';
import { compileMap, renderHeaders, uses, walkUrl } from '../http/streamPlan.ts';
import type { HttpResponse, ReaderLogger } from '../http/types.ts';
import { pageRequest } from '../request/pageRequest.ts';
import { createRequestStyle } from '../request/registry.ts';
import type { RequestStyle } from '../request/types.ts';
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
  readonly #where: { source: string; stream: string };
  readonly #stream: string;
  readonly #create: RequestStyle;
  /** The window bounds the create request carries (its rendered parts take `{since}`, `{until}`). */
  readonly bounded: { since: boolean; until: boolean };
  readonly #headers: [string, Template][];
  readonly #paths: { create: Template; poll: Template; cleanup?: Template };
  /** The base URL in use and the definition's, as the stream's walks put paths on them. */
  readonly #bases: [inUse: string, defined: string];

  constructor(stream: string, definition: StreamDefinition, deps: JobDeps) {
    this.#job = definition.job!;
    this.#deps = deps;
    this.#where = { source: deps.definition.name, stream };
    this.#stream = stream;
    this.#create = createRequestStyle(this.#job.create.request);
    const templates = this.#create.templates;
    this.bounded = {
      since: templates.some((t) => uses(t, 'since')),
      until: templates.some((t) => uses(t, 'until')),
    };
    // The source's headers only: the stream's own describe the RESULTS requests (an `Accept: text/csv`
    // there must not reach the create or the poll, whose answers are JSON).
    this.#headers = compileMap(deps.definition.headers);
    const { create, poll, cleanup } = this.#job;
    this.#paths = {
      create: compileTemplate(create.path),
      poll: compileTemplate(poll.path),
      ...(cleanup && { cleanup: compileTemplate(cleanup.path) }),
    };
    this.#bases = [deps.baseUrl.replace(/\/+$/, ''), deps.definition.baseUrl.replace(/\/+$/, '')];
  }

  get source(): string {
    return this.#deps.definition.name;
  }

  /**
   * Creates the job; its id. The create is sent as its request style (request/) says: method, body,
   * and whether a failed attempt may be sent again (`retrySafe`).
   */
  async create(values: TemplateValues, signal: AbortSignal | undefined): Promise<string> {
    const { create } = this.#job;
    const style = this.#create;
    const where = this.#where;
    // A body bound by {since} would be sent without it (a window bound without a value drops its
    // field), i.e. a job over everything, or none at all: refuse instead.
    if (values.since === undefined && this.bounded.since)
      throw new TemplateError(
        'job.create.request: {since} has no value in this run (a full read); give incremental.initialSince, or leave {since} out of the create request',
        { where },
      );
    const url = this.#url(this.#paths.create, values, 'job.create.path');
    const request = pageRequest(
      style,
      { url, headers: this.#headersOf(values), body: style.render(values, where) },
      {},
    );
    const response = await this.#deps.client.send(request, {
      stream: this.#stream,
      signal,
      retrySafe: style.retrySafe,
    });
    const answered = { ...this.#where, url: response.url };
    const id = compilePath(create.idPath)(parseJson(response, this.#deps.redactor, answered));
    if ((typeof id !== 'string' && typeof id !== 'number') || id === '') {
      const snippet = this.#deps.redactor.snippet(response.body);
      throw new MalformedResponseError(
        `the job create answer has no id at "${create.idPath}" (check job.create.idPath): ${snippet}`,
        { snippet, where: answered },
      );
    }
    return String(id);
  }

  /** Asks the job's status once. A 404 (the job expired, or was deleted) is a `JobFailedError`. */
  async poll(id: string, values: TemplateValues, signal: AbortSignal | undefined): Promise<PollAnswer> {
    const { poll } = this.#job;
    const url = this.#url(this.#paths.poll, values, 'job.poll.path');
    let response: HttpResponse;
    try {
      response = await this.#deps.client.send(
        { method: 'GET', url, headers: this.#headersOf(values) },
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
      const url = this.#url(this.#paths.cleanup!, values, 'job.cleanup.path');
      await this.#deps.client.send(
        { method: cleanup.method, url, headers: this.#headersOf(values) },
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

  #url(path: Template, values: TemplateValues, at: string): URL {
    return walkUrl(path, values, this.#where, ...this.#bases, at);
  }

  #headersOf(values: TemplateValues): Record<string, string> {
    return renderHeaders(this.#deps.headers, this.#headers, values, this.#where);
  }
}
