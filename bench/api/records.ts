/**
 * Deterministic, realistic API records (~1 KB of JSON each, some nesting, arrays, nulls), the kind a
 * SaaS REST API returns: the same index always gives the same record, so every contender and every
 * repetition reads identical bytes.
 */

import { mulberry32 } from '@tributary/sandbox';

const WORDS = (
  'account billing invoice delivery warehouse refund priority customer shipment payment review ' +
  'contract renewal discount support escalation premium standard express return partial pending ' +
  'approved rejected archived region north south east west central quarterly monthly annual'
).split(' ');
const CITIES = ['London', 'Leeds', 'Bristol', 'Glasgow', 'Cardiff', 'Belfast', 'Manchester', 'York'];
const STATUSES = ['open', 'pending', 'paid', 'shipped', 'refunded', 'cancelled'];
const CURRENCIES = ['gbp', 'eur', 'usd'];
/** Record `i` was created at `BASE_TIME + i` seconds (`created_at`): one a second from 2026-01-01. */
export const BASE_TIME = Date.UTC(2026, 0, 1);

export function makeRecord(index: number): Record<string, unknown> {
  const r = mulberry32(index * 2654435761);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const created = BASE_TIME + index * 1000;
  const items = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({
    sku: `SKU-${Math.floor(r() * 1e6)
      .toString()
      .padStart(6, '0')}`,
    line: i + 1,
    quantity: 1 + Math.floor(r() * 9),
    unit_amount: Math.floor(r() * 100_000),
    description: words(4),
  }));
  return {
    id: `ord_${index.toString(36).padStart(10, '0')}`,
    object: 'order',
    created_at: new Date(created).toISOString(),
    updated_at: new Date(created + Math.floor(r() * 86_400_000)).toISOString(),
    status: pick(STATUSES),
    amount: items.reduce((sum, it) => sum + it.quantity * it.unit_amount, 0),
    currency: pick(CURRENCIES),
    livemode: r() < 0.9,
    description: words(8),
    customer: {
      id: `cus_${Math.floor(r() * 1e9).toString(36)}`,
      name: `${pick(WORDS)} ${pick(WORDS)}`,
      email: `user${Math.floor(r() * 1e7)}@example.com`,
      phone: r() < 0.5 ? null : `+44 7${Math.floor(r() * 1e9)}`,
      address: {
        line1: `${1 + Math.floor(r() * 300)} ${pick(WORDS)} street`,
        city: pick(CITIES),
        postcode: `AB${Math.floor(r() * 90) + 10} ${Math.floor(r() * 9)}CD`,
        country: 'GB',
      },
    },
    items,
    payment: {
      method: pick(['card', 'bacs', 'paypal']),
      captured: r() < 0.8,
      card: {
        brand: pick(['visa', 'mastercard', 'amex']),
        last4: String(1000 + Math.floor(r() * 9000)),
        exp_year: 2027 + Math.floor(r() * 5),
      },
    },
    shipping:
      r() < 0.3
        ? null
        : { carrier: pick(['dpd', 'royal-mail', 'evri']), tracking: `TRK${Math.floor(r() * 1e12)}` },
    tags: Array.from({ length: Math.floor(r() * 4) }, () => pick(WORDS)),
    metadata: { channel: pick(['web', 'app', 'phone']), campaign: r() < 0.5 ? null : words(2), score: r() },
  };
}

/** The JSON of records `[from, to)` as one page body, in the cursor-paginated list envelope. */
export function pageBody(from: number, to: number, nextCursor: string | null): string {
  const data: Record<string, unknown>[] = [];
  for (let i = from; i < to; i++) data.push(makeRecord(i));
  return JSON.stringify({ object: 'list', data, has_more: nextCursor !== null, next_cursor: nextCursor });
}
