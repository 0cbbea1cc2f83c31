/**
 * The Socrata CSV export double answers as the cited pages document (README "What the double
 * reproduces"): `/resource/<4x4>.csv` with the SoQL of the JSON endpoint, SODA's CSV format, gzip on
 * request, the JSON error bodies, and broken rows on demand.
 */
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { type LoopbackApi, startApi } from '@tributary/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { makePermit, makePermits, type SocrataCsvOptions, socrataCsvRoute } from '../double/index.ts';

const ID = 'ipu4-2q9a';
const TOKEN = 'csvAppToken000000000000';
let api: LoopbackApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function serve(options: Partial<SocrataCsvOptions> = {}) {
  api = await startApi(
    socrataCsvRoute({ datasets: new Map([[ID, makePermits(ID, 12)]]), appToken: TOKEN, ...options }),
  );
  return api.url;
}

/** A raw GET (no automatic decompression, no default Accept-Encoding). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers: { 'x-app-token': TOKEN, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
        .on('error', reject)
        .end();
    },
  );
}

const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe('socrata-csv double', () => {
  it('writes the selected columns as SODA CSV: a header row, quoting only where needed, nulls as no value', async () => {
    const url = await serve();
    const res = await get(
      `${url}/resource/${ID}.csv${q({ $select: 'permit_number, work_description, estimated_cost', $order: ':id', $limit: '4' })}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-encoding']).toBeUndefined();
    const rows = [0, 1, 2, 3].map((i) => makePermit(ID, i));
    const cell = (v: string | null | undefined) =>
      v == null ? '' : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    expect(res.body.toString('utf8')).toBe(
      [
        'permit_number,work_description,estimated_cost',
        ...rows.map((r) => [r.permit_number, r.work_description, r.estimated_cost].map(cell).join(',')),
        '',
      ].join('\n'),
    );
    // the cases the format page names: a comma, a quote and a line break in one value
    expect(res.body.toString('utf8')).toContain('"Interior fit-out, floors 2-4"');
    expect(res.body.toString('utf8')).toContain('"Replace boiler, ""like for like""\nno change of use"');
  });

  it('selects the system fields with `:*, *`, and pages by $where, $order, $limit and $offset', async () => {
    const url = await serve({ strict: true });
    const page = async (offset: number) =>
      (
        await get(
          `${url}/resource/${ID}.csv${q({ $select: ':*, *', $order: ':id', $where: ":updated_at > '2026-11-01T00:00:03.000'", $limit: '5', $offset: String(offset) })}`,
        )
      ).body
        .toString('utf8')
        .split('\n');
    const first = await page(0);
    expect(first[0]).toBe(
      ':id,:version,:created_at,:updated_at,permit_number,issue_date,permit_type,work_description,borough,zip_code,estimated_cost,latitude,longitude',
    );
    const ids = (lines: string[]) => lines.filter((l) => l.startsWith('row-')).map((l) => l.split(',')[0]);
    expect(ids(first)).toEqual([4, 5, 6, 7, 8].map((i) => makePermit(ID, i)[':id']));
    expect(ids(await page(5))).toEqual([9, 10, 11].map((i) => makePermit(ID, i)[':id']));
    // strict: a walk without the system fields or the stable order is refused, as a SoQL error
    const loose = await get(`${url}/resource/${ID}.csv${q({ $limit: '5' })}`);
    expect(loose.status).toBe(400);
    expect(JSON.parse(loose.body.toString('utf8'))).toMatchObject({
      code: 'query.compiler.malformed',
      error: true,
    });
  });

  it('compresses with gzip when the request accepts it', async () => {
    const url = await serve();
    const plain = await get(`${url}/resource/${ID}.csv`);
    const zipped = await get(`${url}/resource/${ID}.csv`, { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(plain.body.toString('utf8'));
  });

  it('answers as the JSON endpoint does when it refuses: a wrong app token, throttling, processing, a SoQL error', async () => {
    const url = await serve({
      faults: {
        throttleOn: new Map([[ID, 2]]),
        processingOn: new Map([[ID, { offset: 0, times: 1 }]]),
        malformedOn: new Set(['abcd-1234']),
      },
      datasets: new Map([
        [ID, makePermits(ID, 3)],
        ['abcd-1234', makePermits('abcd-1234', 3)],
      ]),
    });
    expect((await get(`${url}/resource/${ID}.csv`, { 'x-app-token': 'wrong' })).status).toBe(403);
    expect((await get(`${url}/resource/${ID}.csv`)).status).toBe(202);
    const throttled = await get(`${url}/resource/${ID}.csv`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('1');
    expect((await get(`${url}/resource/${ID}.csv`)).status).toBe(200);
    const soql = await get(`${url}/resource/abcd-1234.csv`);
    expect(soql.status).toBe(400);
    expect(soql.headers['content-type']).toMatch(/^application\/json/);
    expect((await get(`${url}/resource/zzzz-0000.csv`)).status).toBe(404);
  });

  it('writes one row wrong on demand: a field too many, or a quote never closed', async () => {
    const bad = makePermit(ID, 2)[':id'] as string;
    for (const kind of ['extraField', 'unterminatedQuote'] as const) {
      const url = await serve({ faults: { badRowOn: new Map([[ID, { id: bad, kind }]]) } });
      const lines = (
        await get(`${url}/resource/${ID}.csv${q({ $select: ':id, permit_number', $order: ':id' })}`)
      ).body
        .toString('utf8')
        .split('\n');
      expect(lines[3]).toBe(kind === 'extraField' ? `${bad},120000002,unexpected` : `"${bad},120000002`);
      await api?.close();
      api = undefined;
    }
  });
});
