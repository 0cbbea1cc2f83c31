/**
 * The state machine's Retry lists against the core's error classes, read from the ASL source
 * (stepfunctions/ingest.asl.yml) without packaging: InvokeSource retries every retryable class's
 * name, and no Retry anywhere in the state machine matches a fatal one (or a catch-all).
 * template.test.ts checks the same on the packaged definition.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FATAL_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '@tributary/core/errors';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './support/packaged.ts';

interface Retrier {
  ErrorEquals: string[];
}
interface State {
  Retry?: Retrier[];
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
  Branches?: { States: Record<string, State> }[];
}

const asl = parse(readFileSync(join(repoRoot, 'stepfunctions/ingest.asl.yml'), 'utf8')) as {
  States: Record<string, State>;
};

/** Every state, nested Map and Parallel states included, by name. */
function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...allStates(state.ItemProcessor?.States ?? {}),
    ...allStates(state.Iterator?.States ?? {}),
    ...(state.Branches ?? []).flatMap((b) => allStates(b.States)),
  ]);
}

const retried = (state: State | undefined) => (state?.Retry ?? []).flatMap((r) => r.ErrorEquals);

describe('the ASL retries what the core says is retryable', () => {
  const states = allStates(asl.States);
  const invoke = states.find(([name]) => name === 'InvokeSource')?.[1];

  it('InvokeSource retries every retryable error name', () => {
    expect(invoke).toBeDefined();
    expect(RETRYABLE_ERROR_NAMES.length).toBeGreaterThan(0);
    expect(retried(invoke)).toEqual(expect.arrayContaining([...RETRYABLE_ERROR_NAMES]));
  });

  it('no Retry matches a fatal error name, States.ALL or States.TaskFailed', () => {
    expect(FATAL_ERROR_NAMES.length).toBeGreaterThan(0);
    const offending = states.flatMap(([name, state]) =>
      retried(state)
        .filter((e) => [...FATAL_ERROR_NAMES, 'States.ALL', 'States.TaskFailed'].includes(e))
        .map((e) => `${name}: ${e}`),
    );
    expect(offending).toEqual([]);
  });
});
