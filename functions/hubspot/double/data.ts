/**
 * CRM objects for the HubSpot double: fixed ones for the source's tests (`makeContact`,
 * `makeDeal`), and seeded ones that move on with time for the local stack (`createHubspotObjects`).
 * Every property value is a string, as HubSpot returns them: dates as ISO 8601, amounts as decimals.
 */
import { CITIES, FIRST_NAMES, isoMillis, LAST_NAMES, Rng, Timeline } from '@tributary/sandbox/double';
import type { CrmObject } from './search.ts';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'closedwon', 'closedlost'];
const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'opportunity', 'customer'];

/** A contact, id `1000 + i`, modified at `modifiedAt` (epoch ms). */
export function makeContact(
  i: number,
  modifiedAt = T0 + i * 1000,
  rng = new Rng(7, `contact:${i}`),
): CrmObject {
  const id = String(1000 + i);
  const created = isoMillis(Math.min(modifiedAt, T0) - 86_400_000);
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const place = rng.pick(CITIES);
  return {
    id,
    properties: {
      createdate: created,
      email: `${first}.${last}.${id}@example.com`.toLowerCase(),
      firstname: first,
      lastname: last,
      city: place.city,
      country: place.country,
      lifecyclestage: rng.pick(LIFECYCLE),
      hs_object_id: id,
      lastmodifieddate: isoMillis(modifiedAt),
    },
    createdAt: created,
    updatedAt: isoMillis(modifiedAt),
    archived: false,
  };
}

/** A deal, id `5000 + i`, modified at `modifiedAt` (epoch ms). */
export function makeDeal(i: number, modifiedAt = T0 + i * 1000, rng = new Rng(7, `deal:${i}`)): CrmObject {
  const id = String(5000 + i);
  const created = isoMillis(Math.min(modifiedAt, T0) - 86_400_000);
  const stage = rng.pick(STAGES);
  return {
    id,
    properties: {
      dealname: `${rng.pick(LAST_NAMES)} ${rng.words(2)}`,
      amount: (rng.int(5, 5000) * 10).toFixed(2),
      closedate: stage.startsWith('closed') ? isoMillis(modifiedAt) : null,
      pipeline: 'default',
      dealstage: stage,
      createdate: created,
      hs_object_id: id,
      hs_lastmodifieddate: isoMillis(modifiedAt),
    },
    createdAt: created,
    updatedAt: isoMillis(modifiedAt),
    archived: false,
  };
}

const MAKE = { contacts: makeContact, deals: makeDeal } as const;
const MODIFIED = { contacts: 'lastmodifieddate', deals: 'hs_lastmodifieddate' } as const;

export interface HubspotObjectsOptions {
  seed: number;
  timeline: Timeline;
  /** Objects per type at start. */
  records: number;
}

/** Seeded contacts and deals spread over the timeline's history, and `advance` to change some. */
export function createHubspotObjects(options: HubspotObjectsOptions) {
  const { seed, timeline, records } = options;
  const objects = new Map<'contacts' | 'deals', CrmObject[]>();
  for (const type of ['contacts', 'deals'] as const) {
    const list: CrmObject[] = [];
    for (let i = 0; i < records; i++)
      list.push(MAKE[type](i, timeline.initial(i, records), new Rng(seed, `hubspot:${type}:${i}`)));
    objects.set(type, list);
  }
  return {
    objects,
    /** Modifies 5 % of each type's objects and adds 3 % new ones, dated just before `now`. */
    advance(now: number, epoch: number): void {
      for (const [type, list] of objects) {
        const rng = new Rng(seed, `hubspot:${type}:advance:${epoch}`);
        const touched = rng.sample(list, Math.max(1, Math.round(list.length * 0.05)));
        const added = Math.max(1, Math.round(list.length * 0.03));
        const total = touched.length + added;
        let n = 0;
        for (const o of touched) {
          const at = isoMillis(Timeline.change(now, n++, total));
          o.properties = { ...o.properties, [MODIFIED[type]]: at };
          o.updatedAt = at;
        }
        for (let k = 0; k < added; k++) {
          const at = Timeline.change(now, n++, total);
          list.push(MAKE[type](list.length, at, new Rng(seed, `hubspot:${type}:${epoch}:${k}`)));
        }
      }
    },
  };
}
