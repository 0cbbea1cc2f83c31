/**
 * A loopback search API with a date-filtered dataset, for the window-step tests: `GET /search`
 * answers the records whose `updated_at` is in `[since, until)` (both optional), in pages of
 * `pageSize` behind an `after` cursor (`{ total, results, paging: { next: { after } } }`), and, as
 * HubSpot's CRM search does, refuses to page past `cap` results of one query with a 400. Every
 * request is recorded; `ignoreSince` answers 404 to the queries whose `since` is that instant.
 */
import { type FixtureApi, startFixtureApi } from '@tributary/testkit';

export type Contact = { id: number; updated_at: string };

export interface SearchApiOptions {
  pageSize: number;
  /** Results one query may page through; past it, a 400. @default Infinity */
  cap?: number;
  /** A query with this `since` (ISO) is answered 404. */
  ignoreSince?: string;
}

/** Contacts at the given instants (ISO), ids from 1 in that order. */
export function contactsAt(instants: string[]): Contact[] {
  return instants.map((updated_at, i) => ({ id: i + 1, updated_at }));
}

/** `count` instants `stepMs` apart from `start`. */
export function instants(start: string, count: number, stepMs: number): string[] {
  const t = Date.parse(start);
  return Array.from({ length: count }, (_, i) => new Date(t + i * stepMs).toISOString());
}

export function startSearchApi(contacts: Contact[], options: SearchApiOptions): Promise<FixtureApi> {
  const cap = options.cap ?? Number.POSITIVE_INFINITY;
  return startFixtureApi((req) => {
    if (req.path !== '/search') return { status: 404, body: { message: 'not found' } };
    const since = req.query.get('since');
    const until = req.query.get('until');
    if (since !== null && options.ignoreSince && Date.parse(since) === Date.parse(options.ignoreSince))
      return { status: 404, body: { message: 'gone' } };
    const matching = contacts.filter(
      (c) =>
        (since === null || Date.parse(c.updated_at) >= Date.parse(since)) &&
        (until === null || Date.parse(c.updated_at) < Date.parse(until)),
    );
    const after = Number(req.query.get('after') ?? '0');
    if (after >= cap) {
      return { status: 400, body: { status: 'error', message: `cannot page past ${cap} results` } };
    }
    const results = matching.slice(after, after + options.pageSize);
    const more = after + options.pageSize < matching.length;
    return {
      body: {
        total: matching.length,
        results,
        ...(more && { paging: { next: { after: String(after + options.pageSize) } } }),
      },
    };
  });
}
