/**
 * The org's data as the double holds it: `Account` and `Opportunity` records with the fields the
 * salesforce source selects, every value the string Bulk API 2.0 writes into its CSV results
 * (dateTime as `2026-11-01T05:49:59.000Z`, booleans `true`/`false`, null as no value), 18-character
 * ids with the objects' key prefixes (`001` Account, `006` Opportunity).
 */
import { Rng } from '@tributary/sandbox/double';

/** One record: field name → its CSV text, `null` for an empty field. */
export type SObject = Record<string, string | null>;

/** The fields of each object the double knows, in the order `SELECT FIELDS(ALL)`-less queries list them. */
export const FIELDS = {
  Account: [
    'Id',
    'Name',
    'Type',
    'Industry',
    'BillingCity',
    'BillingCountry',
    'AnnualRevenue',
    'NumberOfEmployees',
    'Description',
    'IsDeleted',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp',
  ],
  Opportunity: [
    'Id',
    'AccountId',
    'Name',
    'StageName',
    'Amount',
    'Probability',
    'CloseDate',
    'IsClosed',
    'IsWon',
    'IsDeleted',
    'CreatedDate',
    'LastModifiedDate',
    'SystemModstamp',
  ],
} as const;

export type ObjectName = keyof typeof FIELDS;
export const OBJECTS = Object.keys(FIELDS) as ObjectName[];

const PREFIX: Record<ObjectName, string> = { Account: '001', Opportunity: '006' };
const T0 = Date.parse('2026-11-01T00:00:00Z');

/** `2026-11-01T05:49:59.000Z`: how Bulk API 2.0 writes a dateTime. */
export const sfDateTime = (ms: number): string => new Date(ms).toISOString();

/** An 18-character record id: key prefix, pod `R0`, a base-36 counter, a 3-character suffix. */
export function recordId(object: ObjectName, n: number): string {
  return `${PREFIX[object]}R0${n.toString(36).toUpperCase().padStart(10, '0')}IAA`;
}

const INDUSTRIES = ['Banking', 'Energy', 'Healthcare', 'Manufacturing', 'Retail', 'Technology'];
const CITIES = ['London', 'Leeds', 'Bristol', 'Dublin', 'Lyon', 'Porto'];
const STAGES = ['Prospecting', 'Qualification', 'Proposal/Price Quote', 'Closed Won', 'Closed Lost'];

/** Account `n`, last modified at `modstamp` (ms). */
export function makeAccount(n: number, modstamp = T0 + n * 60_000, seed = 7): SObject {
  const rng = new Rng(seed, `salesforce:Account:${n}`);
  const created = modstamp - rng.int(1, 400) * 86_400_000;
  return {
    Id: recordId('Account', n),
    Name: `${rng.pick(['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark'])} ${rng.pick(['Ltd', 'plc', 'GmbH', 'S.A.'])} ${n}`,
    Type: rng.pick(['Customer - Direct', 'Customer - Channel', 'Prospect', null]),
    Industry: rng.pick(INDUSTRIES),
    BillingCity: rng.pick(CITIES),
    BillingCountry: rng.pick(['United Kingdom', 'Ireland', 'France', 'Portugal']),
    AnnualRevenue: rng.bool(0.8) ? String(rng.int(1, 900) * 10_000) : null,
    NumberOfEmployees: String(rng.int(5, 5000)),
    // Values with the characters CSV must quote: a comma, a quote, a line break.
    Description: n % 5 === 0 ? `Key account, "tier ${n % 3}"\nrenewal due` : null,
    IsDeleted: 'false',
    CreatedDate: sfDateTime(created),
    LastModifiedDate: sfDateTime(modstamp),
    SystemModstamp: sfDateTime(modstamp),
  };
}

/** Opportunity `n` of account `accountN`, last modified at `modstamp` (ms). */
export function makeOpportunity(n: number, accountN = n, modstamp = T0 + n * 60_000, seed = 7): SObject {
  const rng = new Rng(seed, `salesforce:Opportunity:${n}`);
  const stage = rng.pick(STAGES);
  const closed = stage.startsWith('Closed');
  return {
    Id: recordId('Opportunity', n),
    AccountId: recordId('Account', accountN),
    Name: `Deal ${n}`,
    StageName: stage,
    Amount: String(rng.int(1, 500) * 1000),
    Probability: closed ? (stage === 'Closed Won' ? '100' : '0') : String(rng.pick([10, 20, 50, 75])),
    CloseDate: new Date(modstamp + rng.int(0, 90) * 86_400_000).toISOString().slice(0, 10),
    IsClosed: String(closed),
    IsWon: String(stage === 'Closed Won'),
    IsDeleted: 'false',
    CreatedDate: sfDateTime(modstamp - rng.int(1, 120) * 86_400_000),
    LastModifiedDate: sfDateTime(modstamp),
    SystemModstamp: sfDateTime(modstamp),
  };
}

/** `count` accounts and as many opportunities, modified a minute apart from 2026-11-01. */
export function makeRecords(count: number, seed = 7): Record<ObjectName, SObject[]> {
  return {
    Account: Array.from({ length: count }, (_, i) => makeAccount(i, undefined, seed)),
    Opportunity: Array.from({ length: count }, (_, i) =>
      makeOpportunity(i, i % Math.max(1, count), undefined, seed),
    ),
  };
}
