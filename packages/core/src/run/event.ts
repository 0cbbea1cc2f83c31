/**
 * The handler event (docs/contracts.md, "Handler event"), validated strictly: a field that does not
 * match is an `EventValidationError` naming it. `null` is accepted for the optional fields (a state
 * machine passes them through as null).
 */
import * as z from 'zod';
import type { SourceDefinition } from '../definition/schema.ts';
import { EventValidationError } from '../errors.ts';

/** `2026-11-01` (UTC midnight) or a date-time with a zone: `2026-11-01T00:00:00Z`, `…+01:00`. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2})))?$/;

/**
 * Whether `s` names a real instant: the ISO shape, and every field in its calendar range. `Date.parse`
 * alone rolls over (`2026-02-30` → 2026-03-02), so the date-time fields are built back with
 * `Date.UTC` and must read back unchanged (a strict round trip), and a zone offset stays within ±23:59.
 */
export function isCalendarInstant(s: string): boolean {
  const m = ISO.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 8, 9].map(
    (i) => Number(m[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  const t = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  t.setUTCFullYear(year, month - 1, day); // not in Date.UTC, which maps years 0-99 to 1900-1999
  return (
    t.getUTCFullYear() === year &&
    t.getUTCMonth() === month - 1 &&
    t.getUTCDate() === day &&
    t.getUTCHours() === hour &&
    t.getUTCMinutes() === minute &&
    t.getUTCSeconds() === second &&
    offsetHours <= 23 &&
    offsetMinutes <= 59 &&
    !Number.isNaN(Date.parse(s))
  );
}

const IsoDate = z
  .string()
  .refine((s) => ISO.test(s), 'must be an ISO date, e.g. 2026-11-01T00:00:00Z')
  .refine((s) => !ISO.test(s) || isCalendarInstant(s), {
    error: (i) =>
      `is not a date on the calendar (${JSON.stringify(i.input)}: no such day, hour or zone offset); give a real one, e.g. 2026-11-01T00:00:00Z`,
  });

/** Letters, digits, `-`, `_`, `.`, `:`; it becomes part of S3 keys. */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

const EventSchema = z.strictObject({
  runId: z
    .string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .regex(RUN_ID, 'must be 1-128 letters, digits, "-", "_", "." or ":", starting with a letter or digit'),
  source: z.string().nullish(),
  streams: z.array(z.string()).min(1, 'must name at least one stream').nullish(),
  window: z
    .strictObject({ since: IsoDate, until: IsoDate.nullish() })
    .refine((w) => !w.until || Date.parse(w.since) < Date.parse(w.until), {
      message: 'since must be before until',
      path: ['since'],
    })
    // Without until the window ends now: a since in the future would run with since > until.
    .refine((w) => !!w.until || Number.isNaN(Date.parse(w.since)) || Date.parse(w.since) < Date.now(), {
      error: (i) =>
        `since (${(i.input as { since: string }).since}) is in the future and there is no until (which defaults to now); give a since in the past, or an until after it`,
      path: ['since'],
    })
    .nullish(),
  continuation: z
    .record(z.string(), z.unknown(), { error: 'must be an object (from a previous result) or null' })
    .nullish(),
  // ➕ Backfill slices (slices.ts): `split` asks for the window's slices instead of a run (a slice
  // length, or "default" for the definition's `backfill.slice`); `slice: true` runs one of them.
  split: z.string({ error: 'must be a slice length such as "P7D", or "default"' }).nullish(),
  slice: z.boolean({ error: 'must be true or false' }).nullish(),
});

export interface HandlerEvent {
  runId: string;
  /** Requested streams, as given (absent = every stream). */
  streams?: string[];
  window?: { since: Date; until?: Date };
  continuation?: Record<string, unknown>;
  /** ➕ Split the window into slices of this length (`default`: the definition's) instead of running. */
  split?: string;
  /** ➕ The window is one backfill slice: keys carry its id, the watermark is not moved. */
  slice?: boolean;
}

/**
 * Fields people write where the handler event has another: a state machine input's `sources` (a
 * handler runs one source; its event picks streams), and other near-misses.
 */
const MEANT: Record<string, string> = {
  sources: '"streams" (the streams of this source to run; the handler runs one source, named by "source")',
  stream: '"streams" (a list)',
  run_id: '"runId"',
  runid: '"runId"',
  since: '"window": { "since": … }',
  until: '"window": { "until": … }',
};

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** `"sources" (did you mean "streams" …?)`: the known field an unknown one most likely meant. */
function unknownField(key: string, known: readonly string[], hints: Record<string, string>): string {
  const meant =
    hints[key] ??
    hints[key.toLowerCase()] ??
    known
      .map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) }))
      .filter(({ d }) => d <= 2)
      .sort((x, y) => x.d - y.d)
      .map(({ k }) => `"${k}"`)[0];
  return meant ? `"${key}" (did you mean ${meant}?)` : `"${key}"`;
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    '',
  );
}

export function parseEvent(definition: SourceDefinition, raw: unknown): HandlerEvent {
  const where = { source: definition.name };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new EventValidationError(
      'invalid handler event: the event must be a JSON object with at least runId',
      {
        where,
      },
    );
  }
  // `jitless`: one parse per invocation, where zod's compiled fast path costs more than it saves.
  const parsed = EventSchema.safeParse(raw, { jitless: true });
  if (!parsed.success) {
    const details = parsed.error.issues.map(describeIssue);
    throw new EventValidationError(`invalid handler event: ${details.join('; ')}`, { where });
  }
  const e = parsed.data;
  checkAgainstDefinition(definition, e);
  return {
    ...(e.split && { split: e.split }),
    ...(e.slice && { slice: true }),
    runId: e.runId,
    streams: e.streams ? [...new Set(e.streams)] : undefined,
    window: e.window
      ? { since: new Date(e.window.since), until: e.window.until ? new Date(e.window.until) : undefined }
      : undefined,
    continuation: e.continuation ?? undefined,
  };
}

/** One schema problem of the event, an unknown field with what it may have meant. */
function describeIssue(i: z.core.$ZodIssue): string {
  if (i.code === 'unrecognized_keys') {
    const top = i.path.length === 0;
    const known = top ? Object.keys(EventSchema.shape) : ['since', 'until'];
    const named = i.keys.map((k) => unknownField(k, known, top ? MEANT : {}));
    return `${top ? '' : `${fieldPath(i.path)}: `}unknown field(s) ${named.join(', ')}; ${top ? 'the event' : fieldPath(i.path)} has ${known.join(', ')}`;
  }
  return `${fieldPath(i.path) || 'event'}: ${i.message}`;
}

/** What the schema cannot check: the event against this source (its name, its streams) and the backfill fields' needs. */
function checkAgainstDefinition(definition: SourceDefinition, e: z.infer<typeof EventSchema>): void {
  const where = { source: definition.name };
  if (e.source && e.source !== definition.name) {
    throw new EventValidationError(
      `invalid handler event: source: "${e.source}" does not match this handler's source "${definition.name}"`,
      { where },
    );
  }
  const defined = Object.keys(definition.streams);
  const unknown = (e.streams ?? []).filter((s) => !defined.includes(s));
  if (unknown.length > 0) {
    throw new EventValidationError(
      `invalid handler event: streams: unknown stream ${unknown.map((s) => `"${s}"`).join(', ')} (defined: ${defined.join(', ')})`,
      { where },
    );
  }
  if ((e.split || e.slice) && !e.window) {
    throw new EventValidationError(
      `invalid handler event: ${e.split ? 'split' : 'slice'}: needs a window (the backfill's since and until)`,
      { where },
    );
  }
  if (e.slice && !e.window?.until) {
    throw new EventValidationError(
      'invalid handler event: slice: needs window.until (a slice has both bounds, as split gives them)',
      { where },
    );
  }
}
