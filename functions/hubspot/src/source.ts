/**
 * HubSpot CRM (https://developers.hubspot.com/docs/api-reference/search/guide): contacts and deals,
 * read through the CRM search API with a private app's access token (README cites the pages).
 * A search is a POST whose JSON body carries the window as filters on the object type's
 * last-modified property, and the next page's `after`; one query returns at most 10,000 results,
 * so the run's window is walked in slices, a slice whose `total` is over the cap split smaller
 * before anything of it lands.
 */
import { defineSource, type SourceInput } from '@tributary/core';

/** HubSpot was founded in 2006: no CRM object was modified before. */
const HUBSPOT_EPOCH = '2006-01-01T00:00:00Z';

/** `POST /crm/v3/objects/<type>/search` for the objects modified in [since, until), oldest first. */
const search = (type: string, modified: string, properties: string[]): SourceInput['streams'][string] => ({
  path: `/crm/v3/objects/${type}/search`,
  request: {
    type: 'json',
    method: 'POST',
    body: {
      filterGroups: [
        {
          filters: [
            { propertyName: modified, operator: 'GTE', value: '{since:unixMs}' },
            { propertyName: modified, operator: 'LT', value: '{until:unixMs}' },
          ],
        },
      ],
      sorts: [{ propertyName: modified, direction: 'ASCENDING' }],
      properties,
      // "The maximum number of supported objects per page is 200."
      limit: 200,
    },
    // A search reads and changes nothing: asking again after a 5xx or a timeout is safe.
    retrySafe: true,
  },
  records: 'results',
  paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
  primaryKey: 'id',
  incremental: { cursorField: `properties.${modified}`, initialSince: HUBSPOT_EPOCH },
  // "The search endpoints are limited to 10,000 total results for any given query"; `total` on the
  // first page says how many a slice holds.
  window: { step: 'P366D', maxRecords: 10_000, totalPath: 'total' },
});

export const source = defineSource({
  name: 'hubspot',
  baseUrl: 'https://api.hubapi.com',
  auth: { type: 'bearer', secretKey: 'private_app_token' },
  // "The search endpoints are rate limited to five requests per second per account."
  rateLimit: { requestsPerSecond: 5, concurrency: 1 },
  streams: {
    contacts: search('contacts', 'lastmodifieddate', [
      'email',
      'firstname',
      'lastname',
      'city',
      'country',
      'lifecyclestage',
      'createdate',
      'lastmodifieddate',
      'hs_object_id',
    ]),
    deals: search('deals', 'hs_lastmodifieddate', [
      'dealname',
      'amount',
      'closedate',
      'pipeline',
      'dealstage',
      'createdate',
      'hs_lastmodifieddate',
      'hs_object_id',
    ]),
  },
});
