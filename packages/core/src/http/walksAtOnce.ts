/**
 * ➕ The walks of one stream at once (readStream.ts): up to `width` walks in flight, their pages
 * handed on in the order they arrive, each page's `next` rewritten from its walk's own position to
 * the stream's (`StreamAt`, walks.ts): every walk in flight at its own page, and the next walk to
 * start. A resume starts every walk that was in flight at its page (beyond `width` if need be: none
 * may be dropped, or it would read as done) and skips the walks done.
 */
import type { Page } from './readTypes.ts';
import { type Position, type Resume, streamAt, type Walk } from './walks.ts';

/** A walk's pages from its start, or from `at`; each page's `next` its own position, null at its end. */
type WalkReader = (walk: Walk, at: Position | undefined) => AsyncGenerator<Page>;

export interface WalksAtOnce {
  /** The stream's walks in index order, from the first one in flight at the resume. */
  walks: AsyncIterable<Walk>;
  resume: Resume | undefined;
  /** How many walks at once. */
  width: number;
  read: WalkReader;
  /** A walk's position before its first page. */
  startOf(walk: Walk): Position;
  /** The next page's index in the stream. */
  nextIndex(): number;
  /** Aborted first when the reading ends (a stop, a failure): it cancels the walks' requests. */
  abort: AbortController;
}

export async function* walksAtOnce(options: WalksAtOnce): AsyncGenerator<Page> {
  const { resume, width } = options;
  const walking = new Walking(options.read, options.startOf);
  const iterator = options.walks[Symbol.asyncIterator]();
  const resumed = new Map(resume?.inFlight.map((p) => [p.w, p]));
  let started = resume?.next ?? 0;
  const fill = async () => {
    while (walking.size < width || resumed.size > 0) {
      const result = await iterator.next();
      if (result.done) return;
      const walk = result.value;
      // A walk before `started` is in flight (resumed at its page) or done (skipped).
      const at = resumed.get(walk.index);
      resumed.delete(walk.index);
      if (walk.index < started && !at) continue;
      walking.start(walk, at);
      started = Math.max(started, walk.index + 1);
    }
  };
  try {
    await fill();
    for (;;) {
      const page = await walking.next();
      if (!page) return;
      if (page.next === null) await fill();
      page.index = options.nextIndex();
      page.next = walking.size > 0 ? streamAt(walking.positions(), started) : null;
      yield page;
    }
  } finally {
    options.abort.abort();
    walking.close();
    await iterator.return?.(undefined);
  }
}

/**
 * The walks in flight: each a page generator with its next page asked for, and where it stands (the
 * position of its next page). `next` gives the first page any of them has ready, in the order they
 * arrive. The walk that gave it is asked for its next page only when `next` is called again, i.e.
 * once the caller is done with the page: as one walk alone, a walk fetches one page ahead of the
 * page being handled (or its known pages), no more. A walk whose page was its last leaves.
 */
class Walking {
  readonly #read: WalkReader;
  readonly #startOf: (walk: Walk) => Position;
  readonly #running = new Map<number, { pages: AsyncGenerator<Page>; at: Position }>();
  readonly #arrived: Array<{ index: number; result?: IteratorResult<Page>; error?: unknown }> = [];
  #wake: (() => void) | undefined;
  /** The walk whose page was handed out last, to ask for its next one. */
  #gave: number | undefined;

  constructor(read: WalkReader, startOf: (walk: Walk) => Position) {
    this.#read = read;
    this.#startOf = startOf;
  }

  get size(): number {
    return this.#running.size;
  }

  /** Starts a walk from its start, or from `at` (a resume). */
  start(walk: Walk, at: Position | undefined): void {
    const pages = this.#read(walk, at);
    this.#running.set(walk.index, { pages, at: at ?? this.#startOf(walk) });
    this.#ask(walk.index, pages);
  }

  /** The positions of the walks in flight, by walk index. */
  positions(): Position[] {
    return [...this.#running.entries()].sort(([x], [y]) => x - y).map(([, walk]) => walk.at);
  }

  /** The next page of any walk (its `next`: the walk's own next position, null at the walk's end); null once none is in flight. */
  async next(): Promise<Page | null> {
    const gave = this.#gave;
    this.#gave = undefined;
    if (gave !== undefined) {
      const walk = this.#running.get(gave);
      if (walk) this.#ask(gave, walk.pages);
    }
    for (;;) {
      if (this.#running.size === 0) return null;
      const arrived = this.#arrived.shift();
      if (!arrived) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      if (arrived.error !== undefined || !arrived.result) throw arrived.error;
      // Every walk ends with a page whose `next` is null (readStream.ts, readFiles.ts): that page is
      // what starts the walks after it. One that just returned would leave them unread.
      if (arrived.result.done) throw new Error(`walk ${arrived.index} ended without a last page`);
      const walk = this.#running.get(arrived.index)!;
      const page = arrived.result.value;
      if (page.next === null) this.#running.delete(arrived.index);
      if (page.next !== null) {
        walk.at = page.next as Position;
        this.#gave = arrived.index;
      }
      return page;
    }
  }

  /** Closes every walk in flight (after the reader's abort, which cancels their requests). */
  close(): void {
    for (const { pages } of this.#running.values()) pages.return(undefined).catch(() => {});
    this.#running.clear();
  }

  /** Asks a walk for its next page; a failure is kept for `next` (never an unhandled rejection). */
  #ask(index: number, pages: AsyncGenerator<Page>): void {
    pages.next().then(
      (result) => this.#arrive({ index, result }),
      (error: unknown) => this.#arrive({ index, error: error ?? new Error('a walk failed') }),
    );
  }

  #arrive(arrived: { index: number; result?: IteratorResult<Page>; error?: unknown }): void {
    this.#arrived.push(arrived);
    this.#wake?.();
  }
}
