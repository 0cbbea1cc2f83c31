/**
 * The definition of a stream with a request body: a body paginator needs a body, the body's
 * templates are checked like params, a change feed stays a GET, and the scan fast path still applies.
 */
import { describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import type { SourceInput } from '../../src/definition/schema.ts';
import { DefinitionError } from '../../src/errors.ts';
import { changesStreamOf } from '../../src/http/changeFeed.ts';
import { compileStream } from '../../src/http/streamPlan.ts';

/** HubSpot's CRM search: `after` in the JSON body, the next one at `paging.next.after`. */
const SEARCH = {
  path: '/crm/v3/objects/contacts/search',
  request: {
    type: 'json',
    method: 'POST',
    retrySafe: true,
    body: {
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '{since:unixMs}' }] },
      ],
      limit: 10,
    },
  },
  records: 'results',
  paginator: { type: 'cursor', in: 'body', param: 'after', cursorPath: 'paging.next.after' },
  incremental: { cursorField: 'updatedAt' },
} satisfies SourceInput['streams'][string];

describe('the definition', () => {
  const define = (stream: SourceInput['streams'][string]) =>
    defineSource({ name: 'request-test', baseUrl: 'https://x.example', streams: { contacts: stream } });

  test('a body paginator on a GET stream is a DefinitionError naming the stream and the fix', () => {
    const stream = { ...SEARCH, request: undefined };
    expect(() => define(stream)).toThrow(DefinitionError);
    expect(() => define(stream)).toThrow(
      /streams\.contacts\.paginator\.in: "body" needs a request with a body, and stream contacts sends a get; add request: \{ type: 'json'/,
    );
    expect(() =>
      define({
        ...SEARCH,
        paginator: { type: 'offset', in: 'body', limit: 10 } as never,
        request: { type: 'get' },
      }),
    ).toThrow(/streams\.contacts\.paginator\.in/);
  });

  test('a placeholder in the body without a value is named with its path', () => {
    expect(() =>
      define({
        ...SEARCH,
        request: { type: 'json', method: 'POST', body: { filters: [{ value: '{owner}' }] } },
      }),
    ).toThrow(/streams\.contacts\.request\.body\.filters\.0\.value: \{owner\} has no value/);
    expect(() =>
      define({ ...SEARCH, request: { type: 'form', method: 'POST', fields: { x: '{parent.id}' } } }),
    ).toThrow(/streams\.contacts\.request\.fields\.x: \{parent\.id\} needs a parent stream/);
  });

  test("a POST stream's change feed is read with GETs, and cannot page in a body", () => {
    const changes = {
      path: '/events',
      record: 'data.object',
      changedAt: 'created',
      retentionSeconds: 86_400,
      paginator: { type: 'cursor', param: 'after', cursorPath: 'next' },
    } as const;
    const incremental = { cursorField: 'version_at', changes };
    const stream = define({ ...SEARCH, incremental }).streams.contacts!;
    expect(changesStreamOf(stream, stream.incremental!.changes!).request).toEqual({ type: 'get' });
    expect(stream.request.type).toBe('json');
    const inBody = {
      ...incremental,
      changes: { ...changes, paginator: { ...changes.paginator, in: 'body' } },
    };
    expect(() => define({ ...SEARCH, incremental: inBody } as never)).toThrow(
      /streams\.contacts\.incremental\.changes\.paginator\.in: the change feed is read with GETs/,
    );
  });

  test('a window bound in the body counts as carried: the reader does not filter on it again', () => {
    const definition = define(SEARCH);
    expect(compileStream(definition, 'contacts', definition.baseUrl, {}).bounded).toEqual({
      since: true,
      until: false,
    });
  });

  test('a POST stream whose paginator reads no record path keeps the scan fast path', () => {
    const definition = define(SEARCH);
    expect(compileStream(definition, 'contacts', definition.baseUrl, {}).raw).toBeDefined();
    const lastRecord = define({
      ...SEARCH,
      paginator: { type: 'cursor', in: 'body', param: 'after', lastRecordPath: 'id' },
    });
    expect(compileStream(lastRecord, 'contacts', lastRecord.baseUrl, {}).raw).toBeDefined();
  });
});
