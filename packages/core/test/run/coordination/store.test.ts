/** The DynamoDB coordination store against moto: compare-and-set on the version, items per source. */
import { describe, expect, it } from 'vitest';
import { CoordinationUnavailable } from '../../../src/run/coordination/CoordinationStore.ts';
import { dynamoCoordinationStore } from '../../../src/run/coordination/dynamoCoordinationStore.ts';
import { coordinationTable } from './support.ts';

describe('dynamoCoordinationStore', () => {
  it('creates an item once, then writes it only over the version it read', async () => {
    // Prepare
    const table = await coordinationTable();
    const store = dynamoCoordinationStore({ table, source: 'github' });
    // Act + Assess
    expect(await store.get('rate#x')).toBeUndefined();
    expect(await store.put('rate#x', { version: 1, values: { tat: 1000, who: 'a' } }, undefined)).toBe(true);
    expect(await store.put('rate#x', { version: 1, values: { tat: 2000 } }, undefined)).toBe(false);
    expect(await store.get('rate#x')).toEqual({ version: 1, values: { tat: 1000, who: 'a' } });
    expect(
      await store.put('rate#x', { version: 2, values: { tat: 1500 }, expiresAt: 1_900_000_000 }, 1),
    ).toBe(true);
    expect(await store.put('rate#x', { version: 3, values: { tat: 9 } }, 1)).toBe(false);
    expect(await store.get('rate#x')).toEqual({
      version: 2,
      values: { tat: 1500 },
      expiresAt: 1_900_000_000,
    });
  });

  it("keeps each source's items apart under the same item key", async () => {
    const table = await coordinationTable();
    const github = dynamoCoordinationStore({ table, source: 'github' });
    const stripe = dynamoCoordinationStore({ table, source: 'stripe' });
    await github.put('rate#k', { version: 1, values: { tat: 1 } }, undefined);
    expect(await stripe.get('rate#k')).toBeUndefined();
    expect(await stripe.put('rate#k', { version: 1, values: { tat: 2 } }, undefined)).toBe(true);
    expect((await github.get('rate#k'))?.values.tat).toBe(1);
  });

  it('says the store is unavailable, naming the table, when it does not exist', async () => {
    const store = dynamoCoordinationStore({ table: 'no-such-table', source: 'github' });
    const error = await store.get('rate#x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinationUnavailable);
    expect((error as Error).message).toMatch(/coordination store no-such-table: reading rate#x failed/);
  });
});
