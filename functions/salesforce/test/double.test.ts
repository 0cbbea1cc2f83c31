import { describe, expect, it } from 'vitest';
import { makeAccount, makeRecords, recordId } from '../double/index.ts';
import { serve, V } from './support/serveOrg.ts';

const ACCOUNT_QUERY = 'SELECT Id, Name, Description, SystemModstamp FROM Account';

describe('salesforce double: Bulk API 2.0 query jobs', () => {
  it('walks a job from UploadComplete through InProgress to JobComplete, then serves CSV sets by locator', async () => {
    const { call, createJob } = await serve({ defaultMaxRecords: 10 });
    const created = await createJob(ACCOUNT_QUERY);
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      operation: 'query',
      object: 'Account',
      state: 'UploadComplete',
      contentType: 'CSV',
      apiVersion: 62,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(created.json.id).toMatch(/^750\w{15}$/);
    expect(created.json.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const id = created.json.id as string;
    const early = await call(`${V}/jobs/query/${id}/results`);
    expect(early.status).toBe(400);
    expect((await call(`${V}/jobs/query/${id}`)).json).toMatchObject({
      state: 'InProgress',
      jobType: 'V2Query',
    });
    expect((await call(`${V}/jobs/query/${id}`)).json).toMatchObject({
      state: 'JobComplete',
      numberRecordsProcessed: 25,
    });

    const ids: string[] = [];
    let locator: string | null = '';
    const sets: string[] = [];
    while (locator !== 'null') {
      const res = await call(`${V}/jobs/query/${id}/results${locator ? `?locator=${locator}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv');
      const lines = res.text.trimEnd().split('\n');
      expect(lines[0]).toBe('"Id","Name","Description","SystemModstamp"');
      ids.push(
        ...lines
          .slice(1)
          .filter((l) => l.startsWith('"001'))
          .map((l) => l.slice(1, 19)),
      );
      sets.push(res.headers.get('sforce-numberofrecords') as string);
      locator = res.headers.get('sforce-locator');
    }
    expect(sets).toEqual(['10', '10', '5']);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => recordId('Account', i)));
    // a locator is stable: the second set again, now with maxRecords
    const again = await call(`${V}/jobs/query/${id}/results?locator=MTA&maxRecords=3`);
    expect(again.headers.get('sforce-numberofrecords')).toBe('3');
    expect(again.headers.get('sforce-locator')).toBe('MTM');
    expect(again.text).toContain(recordId('Account', 10));
  });

  it('keeps a set within its size limit whatever maxRecords asks', async () => {
    const { call, createJob } = await serve({ setSizeLimit: 7, pollsToComplete: 1 });
    const job = await createJob('SELECT Id FROM Account');
    await call(`${V}/jobs/query/${job.json.id}`);
    const first = await call(`${V}/jobs/query/${job.json.id}/results?maxRecords=50000`);
    expect(first.headers.get('sforce-numberofrecords')).toBe('7');
    expect(first.headers.get('sforce-locator')).toBe(Buffer.from('7').toString('base64').replace(/=+$/, ''));
  });

  it('filters on SystemModstamp with unquoted dateTime literals, and refuses quoted or millisecond ones', async () => {
    const { call, createJob } = await serve({ pollsToComplete: 1 });
    const job = await createJob(
      `${ACCOUNT_QUERY} WHERE SystemModstamp > 2026-11-01T00:10:00Z AND SystemModstamp <= 2026-11-01T01:10:00+01:00`,
    );
    await call(`${V}/jobs/query/${job.json.id}`);
    const csv = (await call(`${V}/jobs/query/${job.json.id}/results`)).text;
    // 00:10 < modstamp <= 00:10 UTC (the offset): nothing; widen to see the window is half-open
    expect(csv.trimEnd().split('\n')).toHaveLength(1);
    const wide = await createJob(
      `${ACCOUNT_QUERY} WHERE SystemModstamp > 2026-11-01T00:10:00Z AND SystemModstamp <= 2026-11-01T00:15:00Z`,
    );
    await call(`${V}/jobs/query/${wide.json.id}`);
    const rows = (await call(`${V}/jobs/query/${wide.json.id}/results`)).text.trimEnd().split('\n').slice(1);
    expect(rows.filter((l) => l.startsWith('"001')).map((l) => l.slice(1, 19))).toEqual(
      [11, 12, 13, 14, 15].map((i) => recordId('Account', i)),
    );
    for (const literal of ["'2026-11-01T00:10:00Z'", '2026-11-01T00:10:00.000Z']) {
      const refused = await createJob(`${ACCOUNT_QUERY} WHERE SystemModstamp > ${literal}`);
      expect(refused.status).toBe(400);
      expect(refused.json[0].errorCode).toBe('MALFORMED_QUERY');
    }
    const unknown = await createJob('SELECT Id, Nope FROM Account');
    expect(unknown.json[0]).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect((await createJob('SELECT Id FROM Lead')).json[0]).toMatchObject({ errorCode: 'INVALID_TYPE' });
  });

  it('quotes every value and doubles quotes; commas and line breaks stay inside their field', async () => {
    const { call, createJob } = await serve({ pollsToComplete: 1 });
    const job = await createJob(`${ACCOUNT_QUERY} WHERE SystemModstamp <= 2026-11-01T00:00:00Z`);
    await call(`${V}/jobs/query/${job.json.id}`);
    const csv = (await call(`${V}/jobs/query/${job.json.id}/results`)).text;
    const account = makeAccount(0);
    expect(csv).toBe(
      `"Id","Name","Description","SystemModstamp"\n"${account.Id}","${account.Name}","Key account, ""tier 0""\nrenewal due","2026-11-01T00:00:00.000Z"\n`,
    );
  });

  it('reports a failed job with its errorMessage, an aborted one, and one that stays in progress', async () => {
    const { org, call, createJob } = await serve({
      pollsToComplete: 1,
      faults: {
        failOn: new Map([['Opportunity', 'INVALID_FIELD: No such column on entity Opportunity']]),
        stallOn: new Set(['Account']),
      },
    });
    const failed = await createJob('SELECT Id FROM Opportunity');
    expect((await call(`${V}/jobs/query/${failed.json.id}`)).json).toMatchObject({
      state: 'Failed',
      errorMessage: 'INVALID_FIELD: No such column on entity Opportunity',
    });
    const stalled = await createJob('SELECT Id FROM Account');
    for (let i = 0; i < 3; i++)
      expect((await call(`${V}/jobs/query/${stalled.json.id}`)).json.state).toBe('InProgress');
    org.jobs.release('Account');
    expect((await call(`${V}/jobs/query/${stalled.json.id}`)).json.state).toBe('JobComplete');
    const aborted = await createJob('SELECT Id FROM Account');
    expect(
      (await call(`${V}/jobs/query/${aborted.json.id}`, { method: 'PATCH', json: { state: 'Aborted' } })).json
        .state,
    ).toBe('Aborted');
  });

  it('deletes only a terminated job (204), then answers 404 for it', async () => {
    const { call, createJob } = await serve();
    const job = await createJob('SELECT Id FROM Account');
    const early = await call(`${V}/jobs/query/${job.json.id}`, { method: 'DELETE' });
    expect(early.status).toBe(400);
    expect(early.json).toEqual([
      {
        errorCode: 'API_ERROR',
        message: 'Error encountered when deleting the job because the job is not terminated',
      },
    ]);
    await call(`${V}/jobs/query/${job.json.id}`);
    await call(`${V}/jobs/query/${job.json.id}`);
    const deleted = await call(`${V}/jobs/query/${job.json.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await call(`${V}/jobs/query/${job.json.id}`)).status).toBe(404);
  });

  it('answers 401 INVALID_SESSION_ID without a live session, 403 REQUEST_LIMIT_EXCEEDED past the limit, 404 before v47.0', async () => {
    const { org, call, createJob, token } = await serve({ faults: { limitExceededOn: new Set([2]) } });
    const access = (await token()).body.access_token;
    expect((await createJob('SELECT Id FROM Account', {}, access)).status).toBe(200);
    const limited = await createJob('SELECT Id FROM Account', {}, access);
    expect(limited.status).toBe(403);
    expect(limited.json).toEqual([
      { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' },
    ]);
    org.expireSessions();
    const expired = await createJob('SELECT Id FROM Account', {}, access);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual([
      { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
    ]);
    expect((await call('/services/data/v46.0/jobs/query', { method: 'POST', json: {} })).status).toBe(404);
  });

  it('leaves deleted records out of a query job, and keeps them in a queryAll job', async () => {
    const records = makeRecords(3);
    records.Account[1]!.IsDeleted = 'true';
    const { call, createJob } = await serve({ records, pollsToComplete: 1 });
    const count = async (operation: string) => {
      const job = await createJob('SELECT Id FROM Account', { operation });
      await call(`${V}/jobs/query/${job.json.id}`);
      return (await call(`${V}/jobs/query/${job.json.id}/results`)).headers.get('sforce-numberofrecords');
    };
    expect(await count('query')).toBe('2');
    expect(await count('queryAll')).toBe('3');
  });
});
