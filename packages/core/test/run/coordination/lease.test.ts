/**
 * The lease primitive (run/coordination/lease.ts) on the DynamoDB store against moto: one holder at a
 * time among racers, a release frees it, a lease past its end is free for the next taker (a crashed
 * holder), and a holder whose lease was taken over cannot release the new holder's.
 */
import { describe, expect, it } from 'vitest';
import { dynamoCoordinationStore } from '../../../src/run/coordination/dynamoCoordinationStore.ts';
import { acquireLease, isFree, releaseLease } from '../../../src/run/coordination/lease.ts';
import { coordinationTable } from './support.ts';

describe('acquireLease / releaseLease', () => {
  it('gives a free lease to exactly one of many racers, and to the next one once released', async () => {
    // Prepare
    const store = dynamoCoordinationStore({ table: await coordinationTable('lease'), source: 'xero' });
    // Act
    const racers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => acquireLease(store, 'refresh', { holder: `h${i}`, seconds: 30 })),
    );
    // Assess
    const winners = racers.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const won = winners[0]!;
    if (!won.acquired) throw new Error('unreachable');
    expect(won.tookOver).toBe(false);
    const item = await store.get('refresh');
    expect(item?.values.holder).toBe(won.lease.holder);
    expect(item?.expiresAt).toBe(Math.ceil(won.lease.expiresAt)); // the TTL attribute `exp`
    expect((await acquireLease(store, 'refresh', { holder: 'late', seconds: 30 })).acquired).toBe(false);

    expect(await releaseLease(store, won.lease)).toBe(true);
    expect(isFree(await store.get('refresh'))).toBe(true);
    const next = await acquireLease(store, 'refresh', { holder: 'late', seconds: 30 });
    expect(next).toMatchObject({ acquired: true, tookOver: false });
  });

  it('frees a lease whose holder never released it once its time ran out; the old holder cannot release the new one', async () => {
    // Prepare: a holder that "crashes" (never releases) with a 1 s lease
    const store = dynamoCoordinationStore({ table: await coordinationTable('lease'), source: 'xero' });
    const crashed = await acquireLease(store, 'refresh', { holder: 'crashed', seconds: 1 });
    if (!crashed.acquired) throw new Error('the first taker must get the lease');
    expect((await acquireLease(store, 'refresh', { holder: 'next', seconds: 30 })).acquired).toBe(false);
    // Act: wait until the lease's own end has passed (a condition, not a timed assertion)
    while (Date.now() / 1000 <= Math.ceil(crashed.lease.expiresAt))
      await new Promise((r) => setTimeout(r, 100));
    const next = await acquireLease(store, 'refresh', { holder: 'next', seconds: 30 });
    // Assess
    expect(next).toMatchObject({ acquired: true, tookOver: true });
    expect(await releaseLease(store, crashed.lease)).toBe(false);
    expect((await store.get('refresh'))?.values.holder).toBe('next');
  });
});
