/**
 * Checks across fields that a schema alone cannot express: parents exist and do not form a cycle,
 * every `{placeholder}` has a value at run time, and each kind's own `check` (a cursor paginator
 * knows where its cursor is).
 * Returns one line per problem, each starting with its path.
 */
import { checkAuth } from '../auth/registry.ts';
import { checkFileStream } from '../decoding/checkFileStream.ts';
import { recordsPathProblem } from '../http/recordsPath.ts';
import { checkJob, jobTemplates } from '../job/checkJob.ts';
import { checkPaginator, writesBody } from '../pagination/registry.ts';
import { carriesBody, requestTemplates } from '../request/registry.ts';
import { compileTemplate, DATE_FORMATS, malformedPlaceholders } from '../template/template.ts';
import type { SourceDefinition, StreamDefinition } from './schema.ts';
import { checkWindow } from './window.ts';

const WINDOW = new Set(['since', 'until']);

function checkTemplates(
  where: string,
  texts: Record<string, string | number | boolean | (string | number | boolean)[]>,
  allowed: { partitionKeys: Set<string> | undefined; parent: boolean; job?: boolean },
  problems: string[],
): void {
  const entries = Object.entries(texts).flatMap(([key, value]) =>
    Array.isArray(value) ? value.map((v, i) => [`${key}[${i}]`, v] as const) : [[key, value] as const],
  );
  for (const [key, text] of entries) {
    if (typeof text !== 'string') continue;
    for (const token of malformedPlaceholders(text)) {
      problems.push(
        `${where}.${key}: ${token} is not a placeholder; write {name}, {name:format} (formats: ${DATE_FORMATS.join(', ')}), {parent.<field>} or {+name}`,
      );
    }
    for (const p of compileTemplate(text).placeholders) {
      const at = `${where}.${key}`;
      if (p.format && !WINDOW.has(p.name)) {
        problems.push(`${at}: {${p.name}:${p.format}} — a format applies to {since} and {until} only`);
      } else if (WINDOW.has(p.name)) {
        // always resolvable: the window's bounds
      } else if (p.name.startsWith('job.')) {
        if (!allowed.job)
          problems.push(`${at}: {${p.name}} needs a job stream ("job"), after the job is created`);
        else if (p.name !== 'job.id') problems.push(`${at}: {${p.name}}: a job has {job.id} only`);
      } else if (p.name.startsWith('parent.')) {
        if (!allowed.parent) problems.push(`${at}: {${p.name}} needs a parent stream ("parent")`);
      } else if (!allowed.partitionKeys) {
        problems.push(
          `${at}: {${p.name}} has no value; placeholders are {since}, {until}, partition keys${allowed.parent ? ', {parent.<field>}' : ''}`,
        );
      } else if (!allowed.partitionKeys.has(p.name)) {
        problems.push(`${at}: {${p.name}} is not a key of every partition`);
      }
    }
  }
}

function partitionKeys(stream: StreamDefinition): Set<string> | undefined {
  if (!stream.partitions?.length) return undefined;
  const [first, ...rest] = stream.partitions;
  const keys = new Set(Object.keys(first!));
  for (const partition of rest) for (const key of keys) if (!(key in partition)) keys.delete(key);
  return keys;
}

function checkStream(
  name: string,
  stream: StreamDefinition,
  def: SourceDefinition,
  problems: string[],
): void {
  const at = `streams.${name}`;
  const parent = stream.parent?.stream;
  if (parent !== undefined) checkParent(at, name, stream, def, problems);
  if (stream.partitions && stream.partitions.length === 0) problems.push(`${at}.partitions: empty list`);
  const allowed = { partitionKeys: partitionKeys(stream), parent: parent !== undefined, job: !!stream.job };
  checkTemplates(at, { path: stream.path }, allowed, problems);
  checkTemplates(`${at}.params`, stream.params, allowed, problems);
  checkTemplates(`${at}.headers`, stream.headers, allowed, problems);
  if (stream.partitionFields) {
    if (!stream.partitions) problems.push(`${at}.partitionFields: needs partitions (it copies their values)`);
    else checkTemplates(`${at}.partitionFields`, stream.partitionFields, allowed, problems);
  }
  if (stream.incremental)
    checkTemplates(`${at}.incremental.params`, stream.incremental.params, allowed, problems);
  checkChanges(at, stream, allowed, problems);
  checkWindow(at, stream, problems);
  const recordsProblem = recordsPathProblem(stream.records);
  if (recordsProblem) problems.push(`${at}.records: ${recordsProblem}`);
  if (stream.job) checkJobStream(at, stream, allowed, problems);

  checkRequest(at, name, stream, allowed, problems);
  checkFileStream(at, stream, problems);
  if (stream.writeDisposition === 'merge' && stream.primaryKey === undefined) {
    problems.push(`${at}.writeDisposition: "merge" needs a primaryKey`);
  }
  if (
    stream.incremental?.initialSince !== undefined &&
    Number.isNaN(Date.parse(stream.incremental.initialSince))
  ) {
    problems.push(`${at}.incremental.initialSince: not a date: "${stream.incremental.initialSince}"`);
  }
}

/** A child stream (`parent`): its parent exists and is another stream, and what a child cannot have. */
function checkParent(
  at: string,
  name: string,
  stream: StreamDefinition,
  def: SourceDefinition,
  problems: string[],
): void {
  const parent = stream.parent!.stream;
  if (parent === name) problems.push(`${at}.parent.stream: a stream cannot be its own parent`);
  else if (!def.streams[parent]) {
    problems.push(
      `${at}.parent.stream: no stream "${parent}" in this source; streams: ${Object.keys(def.streams).join(', ')}`,
    );
  }
  if (stream.parent!.state === 'perParent' && !stream.incremental) {
    problems.push(
      `${at}.parent.state: "perParent" keeps a watermark per parent key, so the stream needs "incremental" (a cursorField and the {since} param)`,
    );
  }
  if (stream.partitions) {
    problems.push(
      `${at}: a child stream cannot have partitions (a parent record does not say which partition it came from); ` +
        `take the path from the parent record instead, e.g. path: '{+parent.comments_url}'`,
    );
  }
}

/** How pages are asked for (`request`) and paged (`paginator`): templates, the kind's checks, a body to page in. */
function checkRequest(
  at: string,
  name: string,
  stream: StreamDefinition,
  allowed: Parameters<typeof checkTemplates>[2],
  problems: string[],
): void {
  checkTemplates(`${at}.request`, requestTemplates(stream.request), allowed, problems);
  for (const problem of checkPaginator(stream.paginator)) problems.push(`${at}.paginator: ${problem}`);
  if (writesBody(stream.paginator) && !carriesBody(stream.request)) {
    problems.push(
      `${at}.paginator.in: "body" needs a request with a body, and stream ${name} sends a ${stream.request.type}; ` +
        `add request: { type: 'json', method: 'POST', body: {…} } (or 'form') to the stream, or set in: 'query'`,
    );
  }
}

/** ➕ A job stream's `job`: its templates (`{job.id}` after the create only) and its own checks. */
function checkJobStream(
  at: string,
  stream: StreamDefinition,
  allowed: Parameters<typeof checkTemplates>[2],
  problems: string[],
): void {
  const { beforeCreate, afterCreate } = jobTemplates(stream.job!);
  checkTemplates(`${at}.job`, beforeCreate, { ...allowed, job: false }, problems);
  checkTemplates(`${at}.job`, afterCreate, allowed, problems);
  for (const problem of checkJob(stream)) problems.push(`${at}.${problem}`);
}

/** A stream that follows a change feed (`incremental.changes`). */
function checkChanges(
  at: string,
  stream: StreamDefinition,
  allowed: Parameters<typeof checkTemplates>[2],
  problems: string[],
): void {
  const changes = stream.incremental?.changes;
  if (!changes) return;
  checkTemplates(`${at}.incremental.changes`, { path: changes.path }, allowed, problems);
  checkTemplates(`${at}.incremental.changes.params`, changes.params, allowed, problems);
  if (Object.keys(stream.incremental!.params).length > 0) {
    problems.push(
      `${at}.incremental.params: with incremental.changes the stream's own endpoint is read in full; put the window params in incremental.changes.params`,
    );
  }
  if (stream.incremental!.cursorField.includes('.')) {
    problems.push(
      `${at}.incremental.cursorField: with incremental.changes it is a top-level field written into each record (the change's time), e.g. "version_at"`,
    );
  }
  if (stream.parent) problems.push(`${at}.incremental.changes: a child stream cannot follow a change feed`);
  if (writesBody(changes.paginator)) {
    problems.push(
      `${at}.incremental.changes.paginator.in: the change feed is read with GETs; set in: 'query'`,
    );
  }
}

function checkCycles(def: SourceDefinition, problems: string[]): void {
  for (const start of Object.keys(def.streams)) {
    const seen = [start];
    let current = def.streams[start]?.parent?.stream;
    while (current !== undefined && def.streams[current] && current !== start) {
      if (seen.includes(current)) break; // a cycle not through `start`: reported from its own members
      seen.push(current);
      current = def.streams[current]?.parent?.stream;
    }
    if (current === start && seen.length > 1) {
      problems.push(`streams.${start}.parent: parents form a cycle: ${[...seen, start].join(' → ')}`);
    }
  }
}

export function checkDefinition(def: SourceDefinition): string[] {
  const problems: string[] = [];
  const base = new URL(def.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    problems.push(`baseUrl: http or https only (got ${base.protocol})`);
  }
  const sourceLevel = { partitionKeys: undefined, parent: false };
  checkTemplates('params', def.params, sourceLevel, problems);
  checkTemplates('headers', def.headers, sourceLevel, problems);
  for (const [name, stream] of Object.entries(def.streams)) checkStream(name, stream, def, problems);
  checkCycles(def, problems);
  for (const problem of checkAuth(def.auth)) problems.push(`auth.${problem}`);
  return problems;
}
