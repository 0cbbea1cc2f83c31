/**
 * Seeded, deterministic randomness: the same seed and the same labels give the same data on every
 * machine, so a demo or a test sees the same records run after run.
 */

/** FNV-1a over a string, mixed with the seed: a stable 32-bit hash of a label. */
export function hash32(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A number in [0, 1) derived from a seed and a label, without state. */
export function unit(seed: number, label: string): number {
  return mulberry32(hash32(seed, label))();
}

/** A small seeded generator with the helpers the data generators need. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number, label = '') {
    this.next = mulberry32(hash32(seed, label));
  }

  /** In [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** `count` distinct elements, in the order drawn. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    }
    return out;
  }

  /** Lowercase hex of the given length (shas, fingerprints). */
  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.next() * 0x100000000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }

  /** Letters and digits of the given length (Stripe ids, tokens). */
  alnum(length: number): string {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < length; i++) out += chars[Math.floor(this.next() * chars.length)];
    return out;
  }

  words(count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(this.pick(WORDS));
    return out.join(' ');
  }

  sentence(min = 4, max = 12): string {
    const text = this.words(this.int(min, max));
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  }
}

/** mulberry32: a tiny, fast, seedable PRNG, numbers in [0, 1). The bench's records use it too. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const FIRST_NAMES = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Elif',
  'Fatima',
  'Gustavo',
  'Hana',
  'Igor',
  'Joana',
  'Kwame',
  'Lucia',
  'Mateus',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Vitor',
  'Wen',
  'Yara',
] as const;

export const LAST_NAMES = [
  'Almeida',
  'Berg',
  'Costa',
  'Dubois',
  'Eriksen',
  'Ferreira',
  'Garcia',
  'Hoffmann',
  'Ito',
  'Jensen',
  'Kowalski',
  'Lima',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Pereira',
  'Rossi',
  'Santos',
  'Tanaka',
  'Weber',
] as const;

export const CITIES = [
  { city: 'São Paulo', state: 'SP', country: 'BR', postal: '01310-100' },
  { city: 'Rio de Janeiro', state: 'RJ', country: 'BR', postal: '20040-002' },
  { city: 'Lisbon', state: '', country: 'PT', postal: '1100-148' },
  { city: 'London', state: '', country: 'GB', postal: 'EC1A 1BB' },
  { city: 'Berlin', state: 'BE', country: 'DE', postal: '10115' },
  { city: 'Austin', state: 'TX', country: 'US', postal: '73301' },
  { city: 'Seattle', state: 'WA', country: 'US', postal: '98101' },
  { city: 'Mexico City', state: 'CDMX', country: 'MX', postal: '06000' },
] as const;

const WORDS = [
  'pipeline',
  'retry',
  'cursor',
  'page',
  'token',
  'bucket',
  'schema',
  'merge',
  'window',
  'stream',
  'record',
  'export',
  'import',
  'timeout',
  'cache',
  'handler',
  'parser',
  'column',
  'table',
  'partition',
  'manifest',
  'watermark',
  'backfill',
  'upsert',
  'flatten',
  'nested',
  'field',
  'error',
  'fix',
  'add',
  'remove',
  'update',
  'support',
  'docs',
  'test',
  'flaky',
  'slow',
  'fast',
  'memory',
  'leak',
  'crash',
  'login',
  'invoice',
  'refund',
] as const;
