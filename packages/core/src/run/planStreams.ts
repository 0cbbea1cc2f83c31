/**
 * Which streams a run reads, in which order, and how many at once.
 *
 * A requested child whose parent was not requested runs its parent too: the child needs the
 * parent's records of this very run, read back from the parent's landed parts. The parent then
 * lands, gets its manifest and moves its watermark like any requested stream.
 */
import type { SourceDefinition } from '../definition/schema.ts';
import { DefinitionError } from '../errors.ts';

/** Requested streams (default: all) plus their ancestors, parents before children, in definition order. */
export function planStreams(definition: SourceDefinition, requested?: readonly string[]): string[] {
  const wanted = new Set<string>();
  const add = (name: string, chain: string[]) => {
    if (chain.includes(name)) {
      throw new DefinitionError(`stream parents form a cycle: ${[...chain, name].join(' → ')}`, {
        where: { source: definition.name },
      });
    }
    const stream = definition.streams[name];
    if (!stream) {
      throw new DefinitionError(`stream ${chain.at(-1)} names an undefined parent stream "${name}"`, {
        where: { source: definition.name },
      });
    }
    if (stream.parent) add(stream.parent.stream, [...chain, name]);
    wanted.add(name);
  };
  for (const name of requested ?? Object.keys(definition.streams)) add(name, []);
  // `add` inserts parents before their children; keep that order.
  return [...wanted];
}

/** How `runPlan` runs a plan. */
export interface RunPlanOptions {
  /** The streams to run, in order. */
  plan: readonly string[];
  /** How many streams run at once. */
  concurrency: number;
  /** Whether a stream may start now (its parent is done). */
  ready(stream: string): boolean;
  /** True once no further stream may start (the invocation is stopping). */
  stopped(): boolean;
  /** Runs one stream; must not reject. */
  run(stream: string): Promise<void>;
}

/**
 * Runs `run` for each stream of `plan` with at most `concurrency` at once, starting a stream only
 * when `ready` says so (its parent is done) and while `stopped` is false. `run` must not reject.
 */
export async function runPlan({ plan, concurrency, ready, stopped, run }: RunPlanOptions): Promise<void> {
  const waiting = [...plan];
  const running = new Map<string, Promise<void>>();
  for (;;) {
    if (!stopped()) {
      for (const stream of [...waiting]) {
        if (running.size >= concurrency) break;
        if (!ready(stream)) continue;
        waiting.splice(waiting.indexOf(stream), 1);
        running.set(
          stream,
          run(stream).finally(() => running.delete(stream)),
        );
      }
    }
    if (running.size === 0) return;
    await Promise.race(running.values());
  }
}
