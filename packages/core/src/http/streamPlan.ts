/**
 * A stream compiled once per reader: templates parsed, paths compiled, the paginator built. Per walk
 * (one partition, or one parent record) it renders the URL, query and headers.
 */

import { createDecoder } from '../decoding/registry.ts';
import type { RecordTransform } from '../decoding/types.ts';
import type { SourceDefinition, StreamDefinition } from '../definition/schema.ts';
import { compilePath, type PathGetter } from '../definition/template/getPath.ts';
import {
  compileTemplate,
  type Placeholder,
  placeholderValue,
  renderTemplate,
  type Template,
  type TemplateValues,
} from '../definition/template/template.ts';
import { TemplateError } from '../errors.ts';
import { bodyPathsOf, createPaginator } from '../pagination/registry.ts';
import type { Paginator } from '../pagination/types.ts';
import { createRequestStyle } from '../request/registry.ts';
import type { RequestStyle } from '../request/types.ts';
import { compileRecordsPath, isWildcardPath } from './recordsPath.ts';
import { type ScanTarget, scanTarget } from './scanRecords.ts';

export interface StreamPlan {
  name: string;
  stream: StreamDefinition;
  paginator: Paginator;
  /** The method, the body of each page and whether an attempt may be sent again (`request`). */
  request: RequestStyle;
  /** A streamed file kind's decoder (csv, jsonl: `http/readFiles.ts`); absent for json. */
  decode?: RecordTransform;
  records: PathGetter;
  cursor?: PathGetter;
  /** ➕ `window.totalPath`, compiled: the query's total in a page's body. */
  total?: PathGetter;
  carry: [field: string, at: PathGetter][];
  /** `partitionFields`, compiled: each record of a partition gets these, rendered from its values. */
  partitionFields: [field: string, template: Template][];
  /**
   * Set when the stream's records land as the API's bytes (scanned, not parsed and serialized again):
   * no `transform`, no carried parent or partition fields, a cursor field at the record's top level, and no
   * paginator path into the records array. Otherwise every page is parsed.
   */
  raw?: ScanTarget;
  /**
   * A child stream: what identifies a walk among the parent records — the values its path, params and
   * headers take from the parent (`{parent.…}`), as one string. Parents with the same key make the
   * same requests, so the child walks each key once (see `walks.ts`).
   */
  parentKey(parent: unknown): string;
  /** Whether the stream's requests carry each window bound (a `{since…}` / `{until…}` template). */
  bounded: { since: boolean; until: boolean };
  /** Renders the first page's URL, the headers and the body (`request.render`) of a walk. */
  walk(
    values: TemplateValues,
    where: { source: string; stream: string },
  ): { url: URL; headers: Record<string, string>; body: unknown };
}

const WINDOW = new Set(['since', 'until']);

type Scalar = string | number | boolean;

/** A list value becomes one entry per element, under the same key (a repeated query param). */
export function compileMap(map: Record<string, Scalar | Scalar[]>): [string, Template][] {
  return Object.entries(map).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((one): [string, Template] => [k, compileTemplate(String(one))]),
  );
}

function missing(where: { source: string; stream: string }, what: string, name: string) {
  const why = name.startsWith('parent.') ? 'the parent record has no such field' : 'no value in this run';
  return new TemplateError(`${what}: {${name}} has no value (${why})`, { where });
}

export function compileStream(
  definition: SourceDefinition,
  name: string,
  baseUrl: string,
  defaultHeaders: Record<string, string>,
): StreamPlan {
  const stream = definition.streams[name]!;
  const path = compileTemplate(stream.path);
  const params = compileMap({
    ...definition.params,
    ...stream.params,
    ...(stream.incremental?.params ?? {}),
  });
  const headers = compileMap({ ...definition.headers, ...stream.headers });
  const request = createRequestStyle(stream.request);
  const requests = [path, ...params.map(([, t]) => t), ...headers.map(([, t]) => t), ...request.templates];
  const fromParent: Placeholder[] = requests
    .flatMap((t) => t.placeholders)
    .filter((p) => p.parentPath !== undefined);
  const base = baseUrl.replace(/\/+$/, '');
  const definedBase = definition.baseUrl.replace(/\/+$/, '');

  return {
    name,
    stream,
    paginator: createPaginator(stream.paginator),
    request,
    decode: createDecoder(stream.decoder),
    records: compileRecordsPath(stream.records),
    cursor: stream.incremental ? compilePath(stream.incremental.cursorField) : undefined,
    total: stream.window?.totalPath ? compilePath(stream.window.totalPath) : undefined,
    carry: Object.entries(stream.parent?.carry ?? {}).map(([field, at]) => [field, compilePath(at)]),
    partitionFields: Object.entries(stream.partitionFields ?? {}).map(([field, t]) => [
      field,
      compileTemplate(t),
    ]),
    raw: rawTarget(stream),
    parentKey: (parent) => JSON.stringify(fromParent.map((p) => placeholderValue(p, { parent }) ?? null)),
    bounded: { since: requests.some((t) => uses(t, 'since')), until: requests.some((t) => uses(t, 'until')) },
    walk(values, where) {
      const url = walkUrl(path, values, where, base, definedBase);
      setParams(url, params, values, where);
      const body = request.render(values, where);
      return { url, headers: renderHeaders(defaultHeaders, headers, values, where), body };
    },
  };
}

type Where = { source: string; stream: string };

/**
 * The walk's first URL (➕ or a job's request, job/jobRequests.ts): the path rendered on the base URL
 * in use; `what` names the path in a TemplateError.
 */
export function walkUrl(
  path: Template,
  values: TemplateValues,
  where: Where,
  base: string,
  definedBase: string,
  what = 'path',
): URL {
  const renderedPath = renderTemplate(path, values, encodeURIComponent);
  if (renderedPath.missing !== undefined) throw missing(where, what, renderedPath.missing);
  let href = renderedPath.value;
  if (/^https?:\/\//i.test(href)) {
    // A URL taken from a parent record: keep it on the base URL in use (API_BASE_URL).
    if (base !== definedBase && href.startsWith(definedBase)) href = base + href.slice(definedBase.length);
  } else {
    href = base + (href.startsWith('/') ? href : `/${href}`);
  }
  return new URL(href);
}

function setParams(url: URL, params: [string, Template][], values: TemplateValues, where: Where): void {
  const repeated = new Set<string>();
  for (const [key, template] of params) {
    const value = renderTemplate(template, values);
    // The first value replaces one the path carries; a list's further values are appended.
    if (value.missing === undefined) {
      if (repeated.has(key)) url.searchParams.append(key, value.value);
      else url.searchParams.set(key, value.value);
      repeated.add(key);
    } else if (!WINDOW.has(value.missing)) throw missing(where, `param ${key}`, value.missing);
    // A window bound that is absent (no `since` on a full read) drops the param.
  }
}

export function renderHeaders(
  defaultHeaders: Record<string, string>,
  headers: [string, Template][],
  values: TemplateValues,
  where: Where,
): Record<string, string> {
  const rendered: Record<string, string> = { ...defaultHeaders };
  for (const [key, template] of headers) {
    const value = renderTemplate(template, values);
    if (value.missing === undefined) rendered[key] = value.value;
    else if (!WINDOW.has(value.missing)) throw missing(where, `header ${key}`, value.missing);
  }
  return rendered;
}

/** Whether a template takes `{name}`. */
export const uses = (template: Template, name: string) => template.placeholders.some((p) => p.name === name);

function rawTarget(stream: StreamDefinition): ScanTarget | undefined {
  if (stream.transform || Object.keys(stream.parent?.carry ?? {}).length > 0) return undefined;
  if (Object.keys(stream.partitionFields ?? {}).length > 0) return undefined;
  const cursorField = stream.incremental?.cursorField;
  if (cursorField?.includes('.')) return undefined;
  if (stream.records !== '' && stream.records.split('.').includes('')) return undefined;
  if (isWildcardPath(stream.records)) return undefined; // ➕ a wildcard selector is parsed
  for (const path of bodyPathsOf(stream.paginator)) {
    // The paginator is given the body with the records array emptied: it must not look inside it.
    if (stream.records === '' || path === stream.records || path.startsWith(`${stream.records}.`))
      return undefined;
  }
  return scanTarget(stream.records, cursorField);
}
