/**
 * ➕ Window steps (`window` on a stream, definition/window.ts): the run's window `[since, until)` read
 * slice by slice, one reader call per slice with the slice as its window, so `{since}` / `{until}`
 * (params, headers, request bodies: every template) render to the slice's bounds and the client-side
 * filter applies them. Slices lie on the grid `since + k × step` (the last clipped to `until`); no
 * `step` makes the whole window one slice.
 *
 * A position (`Page.next`, carried in the continuation) is `{ slice: { since, until }, at, fits? }`:
 * the slice being read and the reader's own position inside it, so a resume continues in that slice.
 * Every page says its slice (`Page.slice`), so the landing path knows how far the completed slices
 * reach (the watermark never passes a slice a walk did not finish, see completeStream).
 *
 * `maxRecords` (the API's cap on one query): a slice whose results would pass it is split in two and
 * the first half read (then the rest of its grid cell), before any of its pages reaches the sink:
 * - with `totalPath`, on the slice's first page: a total over `maxRecords` drops that page;
 * - without it, the slice's pages are held back (at most `maxRecords` records in memory) until the
 *   slice ends; one that reaches `maxRecords` records is dropped whole and split. Nothing of it was
 *   landed, so nothing is lost or landed twice.
 * A slice that fits is marked `fits` in its positions: a resume inside it lands on without holding.
 * A slice of one millisecond that does not fit is a `WindowSliceError`.
 */
import type { WindowStepDefinition } from '../definition/window.ts';
import { EventValidationError, MalformedResponseError, WindowSliceError } from '../errors.ts';
import type { JsonValue, Page, ReadOptions, StreamReader } from '../stream/types.ts';
import { durationMs } from './slices.ts';

/** A slice and where reading stands in it (`at`: the reader's position, null = its start). */
export interface StepPosition {
  slice: { since: string; until: string };
  at: JsonValue;
  /** The slice is known to hold no more than `maxRecords`. */
  fits?: true;
}

interface Steps {
  read: StreamReader;
  stream: string;
  window: WindowStepDefinition;
  options: ReadOptions;
  where: { source: string; stream: string };
  /** The grid: the run's `since`, the step (ms; Infinity: none), the run's `until` (epoch ms). */
  start: number;
  step: number;
  end: number;
  /** Pages handed on so far: the next page's index. */
  index: number;
}

/** The pages of a window-stepped stream; a window without `since` is read as the reader reads it. */
export async function* windowSteps(
  read: StreamReader,
  stream: string,
  window: WindowStepDefinition,
  options: ReadOptions,
  source: string,
): AsyncGenerator<Page> {
  const since = options.window.since;
  if (!since) {
    yield* read(stream, options);
    return;
  }
  const steps: Steps = {
    read,
    stream,
    window,
    options,
    where: { source, stream },
    start: since.getTime(),
    step: window.step ? durationMs(window.step) : Number.POSITIVE_INFINITY,
    end: options.window.until.getTime(),
    index: 0,
  };
  let at: StepPosition | null = parseStep(options.from, steps) ?? sliceFrom(steps, steps.start);
  while (at) at = yield* readSlice(steps, at);
}

/** The slice that starts at `from` and ends at the next grid line (or the window's end); null past it. */
function sliceFrom(steps: Steps, from: number): StepPosition | null {
  if (from >= steps.end) return null;
  const cell = Math.floor((from - steps.start) / steps.step) + 1;
  const until = Math.min(steps.end, steps.start + cell * steps.step);
  return { slice: { since: iso(from), until: iso(until) }, at: null };
}

/** Reads one slice; what to read next: the next slice, the first half of this one (split), or null. */
async function* readSlice(steps: Steps, current: StepPosition): AsyncGenerator<Page, StepPosition | null> {
  const { slice } = current;
  const { maxRecords, totalPath } = steps.window;
  const after = sliceFrom(steps, Date.parse(slice.until));
  const window = { since: new Date(slice.since), until: new Date(slice.until) };
  const pages = steps
    .read(steps.stream, { ...steps.options, window, from: current.at })
    [Symbol.asyncIterator]();
  const hold = maxRecords !== undefined && totalPath === undefined && !current.fits;
  const held: Page[] = [];
  let first = current.at === null && maxRecords !== undefined && totalPath !== undefined;
  let seen = 0;
  try {
    for (;;) {
      const result = await pages.next();
      if (result.done) break;
      const page = result.value;
      if (first) {
        first = false;
        const total = page.total;
        // A page with no records (an `empty` or `ignore` answer) need not say a total.
        if (total === undefined && records(page) > 0) throw noTotal(steps, page);
        if (total !== undefined && total > maxRecords!)
          return split(steps, current, `the API's total is ${total}`);
      }
      if (hold) {
        seen += records(page) + (page.filteredOut ?? 0);
        if (seen >= maxRecords!) return split(steps, current, `it gave ${seen} records and more`);
        held.push(page);
      } else yield place(steps, page, current, after);
    }
  } finally {
    await pages.return?.(undefined);
  }
  for (const page of held) yield place(steps, page, current, after);
  return after;
}

/** The page as the landing path sees it: its slice, its index, and a position in the stepped walk. */
function place(steps: Steps, page: Page, current: StepPosition, after: StepPosition | null): Page {
  const fits = steps.window.maxRecords !== undefined;
  page.index = steps.index++;
  page.slice = current.slice;
  page.next =
    page.next === null
      ? (after as JsonValue | null)
      : ({ slice: current.slice, at: page.next, ...(fits && { fits: true }) } as JsonValue);
  return page;
}

/** The first half of an over-full slice, on a whole second when there is one inside it. */
function split(steps: Steps, current: StepPosition, why: string): StepPosition {
  const since = Date.parse(current.slice.since);
  const until = Date.parse(current.slice.until);
  const half = Math.floor((since + until) / 2);
  const second = Math.floor(half / 1000) * 1000;
  const mid = second > since ? second : half;
  if (mid <= since) {
    throw new WindowSliceError(
      `the slice ${current.slice.since} – ${current.slice.until} holds more than window.maxRecords (${steps.window.maxRecords}) results (${why}) and is one instant: it cannot be split further. Narrow the query (a filter in the params or body), or raise window.maxRecords if the API gives more`,
      { where: steps.where },
    );
  }
  return { slice: { since: current.slice.since, until: iso(mid) }, at: null };
}

function noTotal(steps: Steps, page: Page): MalformedResponseError {
  return new MalformedResponseError(
    `window.totalPath "${steps.window.totalPath}" is not a number in the slice's first page (check the path, or drop totalPath to have over-full slices found by counting)`,
    { snippet: '', where: { ...steps.where, url: page.url } },
  );
}

function parseStep(from: unknown, steps: Steps): StepPosition | undefined {
  if (from === undefined || from === null) return undefined;
  const p = from as Partial<StepPosition>;
  const ok =
    typeof p === 'object' &&
    typeof p.slice?.since === 'string' &&
    typeof p.slice.until === 'string' &&
    'at' in p;
  if (!ok) {
    throw new EventValidationError(
      `a position to resume a window-stepped stream from must be a Page.next of it ({ slice, at }), got ${JSON.stringify(from)}`,
      { where: steps.where },
    );
  }
  return p as StepPosition;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A page's records, without parsing a scanned page's lines. */
const records = (page: Page) => (page.lines ? page.lines.count : page.records.length);
