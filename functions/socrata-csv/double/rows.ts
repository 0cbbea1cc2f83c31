/**
 * Rows of a building-permits dataset as a Socrata portal holds them: the system fields (`:id`,
 * `:version`, `:created_at`, `:updated_at`) and flat text columns, numbers and floating timestamps
 * as strings, some descriptions with the characters CSV must quote.
 */
import { floating, isoMillis, Rng } from '@tributary/sandbox/double';

export type PermitRow = Record<string, string | null>;

/** The dataset's columns in their order. */
export const COLUMNS = [
  ':id',
  ':version',
  ':created_at',
  ':updated_at',
  'permit_number',
  'issue_date',
  'permit_type',
  'work_description',
  'borough',
  'zip_code',
  'estimated_cost',
  'latitude',
  'longitude',
] as const;

const T0 = Date.parse('2026-11-01T00:00:00Z');
const TYPES = ['NB - New Building', 'A1 - Major Alteration', 'A2 - Minor Alteration', 'DM - Demolition'];
const BOROUGHS = ['MANHATTAN', 'BROOKLYN', 'QUEENS', 'BRONX', 'STATEN ISLAND'];

/** Row `i` of dataset `id`, last updated at `updatedAt` (ms). */
export function makePermit(id: string, i: number, updatedAt = T0 + i * 1000, seed = 11): PermitRow {
  const rng = new Rng(seed, `socrata-csv:${id}:${i}`);
  const issued = updatedAt - rng.int(0, 30) * 86_400_000;
  const description =
    i % 7 === 3
      ? `Replace boiler, "like for like"\nno change of use`
      : i % 5 === 1
        ? 'Interior fit-out, floors 2-4'
        : rng.bool(0.2)
          ? null
          : 'Facade repair';
  return {
    ':id': `row-${id.slice(0, 4)}~${String(i).padStart(6, '0')}`,
    ':version': `rv-${rng.alnum(4).toLowerCase()}`,
    ':created_at': isoMillis(issued),
    ':updated_at': isoMillis(updatedAt),
    permit_number: String(120_000_000 + i),
    issue_date: floating(issued),
    permit_type: rng.pick(TYPES),
    work_description: description,
    borough: rng.pick(BOROUGHS),
    zip_code: String(rng.int(10001, 11697)),
    estimated_cost: rng.bool(0.9) ? String(rng.int(1, 5000) * 100) : null,
    latitude: (40.5 + rng.float() * 0.4).toFixed(6),
    longitude: (-74.2 + rng.float() * 0.5).toFixed(6),
  };
}

export function makePermits(id: string, count: number, seed = 11): PermitRow[] {
  return Array.from({ length: count }, (_, i) => makePermit(id, i, undefined, seed));
}
