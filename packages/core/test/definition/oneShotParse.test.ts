/**
 * The definition, the event and the continuation are each parsed once (per cold start, per
 * invocation): zod's compiled fast path, which generates a parser with `new Function` the first time
 * an object schema parses, costs more there than it saves (bench/FINDINGS.md §13). These
 * parses run `jitless`: no code is generated, and the results are zod's own either way.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { parseContinuation } from '../../src/run/continuation.ts';
import { parseEvent } from '../../src/run/event.ts';

/** `new Function(…)` calls with a body: zod's code generation (its `allowsEval` probe is `new Function("")`). */
let generated: string[] = [];
const original = globalThis.Function;

beforeEach(() => {
  generated = [];
  globalThis.Function = new Proxy(original, {
    construct(target, args: string[]) {
      if (args.some((a) => String(a).trim() !== '')) generated.push(String(args.at(-1)).slice(0, 80));
      return Reflect.construct(target, args);
    },
  });
});

afterEach(() => {
  globalThis.Function = original;
});

const definition = () =>
  defineSource({
    name: 'one-shot',
    baseUrl: 'https://api.example.test',
    auth: { type: 'bearer', secretKey: 'token' },
    streams: {
      items: {
        path: '/items',
        records: 'data',
        primaryKey: 'id',
        paginator: { type: 'cursor', param: 'after', cursorPath: 'next', hasMorePath: 'has_more' },
        incremental: { cursorField: 'updated_at' },
      },
    },
  });

describe('one-shot parses generate no code', () => {
  it('defineSource validates and fills defaults without new Function', () => {
    const source = definition();
    expect(source.streams.items!.paginator).toMatchObject({ type: 'cursor', param: 'after' });
    expect(generated).toEqual([]);
  });

  it('parseEvent validates the event without new Function', () => {
    const source = definition();
    generated = [];
    expect(parseEvent(source, { runId: 'run-1', window: { since: '2026-11-01T00:00:00Z' } })).toMatchObject({
      runId: 'run-1',
    });
    expect(() => parseEvent(source, { runId: 'run-1', sources: ['x'] })).toThrow(/did you mean/);
    expect(generated).toEqual([]);
  });

  it('parseContinuation validates without new Function', () => {
    const source = definition();
    generated = [];
    expect(() => parseContinuation({ runId: 'run-1' }, 'run-1', ['items'], source.name)).toThrow(
      /invalid handler event: continuation/,
    );
    expect(generated).toEqual([]);
  });
});
