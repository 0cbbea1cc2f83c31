/**
 * `runPlan`, the handler's scheduler: at most `concurrency` streams at once, a stream only once it
 * is ready (its parent done), none started once stopped. Streams are driven by hand (each `run`
 * returns a promise the test settles), so the order is the test's, not the clock's.
 */
import { describe, expect, it } from 'vitest';
import { runPlan } from '../../src/run/planStreams.ts';

/** A plan whose streams finish when the test says so. */
function manual() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const done = new Set<string>();
  const run = (stream: string) =>
    new Promise<void>((resolve) => {
      started.push(stream);
      finish.set(stream, () => {
        done.add(stream);
        resolve();
      });
    });
  /** Lets the scheduler react to what settled. */
  const tick = () => new Promise((r) => setImmediate(r));
  return { started, finish, done, run, tick };
}

describe('runPlan', () => {
  it('runs at most `concurrency` streams at once, in plan order', async () => {
    const m = manual();
    const plan = runPlan({
      plan: ['a', 'b', 'c'],
      concurrency: 2,
      ready: () => true,
      stopped: () => false,
      run: m.run,
    });
    await m.tick();
    expect(m.started).toEqual(['a', 'b']);
    m.finish.get('b')!();
    await m.tick();
    expect(m.started).toEqual(['a', 'b', 'c']);
    m.finish.get('a')!();
    m.finish.get('c')!();
    await plan;
    expect([...m.done].sort()).toEqual(['a', 'b', 'c']);
  });

  it('starts a child only once `ready` says its parent is done', async () => {
    const m = manual();
    const parentOf: Record<string, string> = { child: 'parent' };
    const plan = runPlan({
      plan: ['parent', 'child', 'other'],
      concurrency: 3,
      ready: (s) => parentOf[s] === undefined || m.done.has(parentOf[s]),
      stopped: () => false,
      run: m.run,
    });
    await m.tick();
    expect(m.started).toEqual(['parent', 'other']);
    m.finish.get('parent')!();
    await m.tick();
    expect(m.started).toEqual(['parent', 'other', 'child']);
    m.finish.get('child')!();
    m.finish.get('other')!();
    await plan;
  });

  it('starts nothing more once stopped, and returns when the running streams end', async () => {
    const m = manual();
    let stopped = false;
    const plan = runPlan({
      plan: ['a', 'b'],
      concurrency: 1,
      ready: () => true,
      stopped: () => stopped,
      run: m.run,
    });
    await m.tick();
    stopped = true;
    m.finish.get('a')!();
    await plan;
    expect(m.started).toEqual(['a']);
  });
});
