/**
 * Streamed decoders against a loopback file server: jsonl and csv bodies (quoting, delimiter, BOM),
 * gzip and zip files, a malformed row, pages of a large file with positions inside it, and paging
 * across files by headers.
 */
import { gzipSync } from 'node:zlib';
import { rejectionOf } from '@tributary/testkit';
import { strToU8, Zip, ZipDeflate, zipSync } from 'fflate';
import { afterEach, describe, expect, test } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { DefinitionError, MalformedResponseError, TransientError } from '../../src/errors.ts';
import { type FileApi, type FileRoute, rowsOf, serveFiles } from './support.ts';

const apis: FileApi[] = [];
afterEach(async () => {
  while (apis.length) await apis.pop()!.close();
});

async function serve(route: FileRoute, streams: Parameters<typeof serveFiles>[1]) {
  const api = await serveFiles(route, streams);
  apis.push(api);
  return api;
}

const send =
  (body: string | Buffer, headers: Record<string, string> = {}): FileRoute =>
  (_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  };

describe('jsonl', () => {
  test('one record per line; a \\r\\n ending and blank lines are fine', async () => {
    const api = await serve(send('{"id":1,"a":{"b":2}}\r\n\n{"id":2}\n{"id":3}'), {
      items: { path: '/items.jsonl', decoder: { type: 'jsonl' } },
    });
    const pages = await api.read('items');
    expect(rowsOf(pages)).toEqual([{ id: 1, a: { b: 2 } }, { id: 2 }, { id: 3 }]);
    expect(pages.at(-1)).toMatchObject({ next: null, end: 'api' });
  });

  test('a line that is not a JSON object is a MalformedResponseError naming the line and the stream', async () => {
    const api = await serve(send('{"id":1}\n[1,2]\n'), {
      items: { path: '/items.jsonl', decoder: { type: 'jsonl' } },
    });
    const error = await rejectionOf(api.read('items'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(
      /stream items: line 2 of the file is a JSON array, not an object/,
    );
  });
});

describe('csv', () => {
  test('header row, quoted fields holding commas, quotes and newlines; values land as strings', async () => {
    const file = 'id,name,note\r\n1,"Smith, J.","said ""hi""\nthen left"\r\n2,Doe,\r\n';
    const api = await serve(send(file, { 'content-type': 'text/csv' }), {
      people: { path: '/people.csv', decoder: { type: 'csv' } },
    });
    expect(rowsOf(await api.read('people'))).toEqual([
      { id: '1', name: 'Smith, J.', note: 'said "hi"\nthen left' },
      { id: '2', name: 'Doe', note: '' },
    ]);
  });

  test("delimiter ';', a UTF-8 BOM, and `columns` for a file without a header row", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id;amount\n7;1,50\n8;"2;0"\n')]);
    const api = await serve(
      (_req, res, url) => {
        res.writeHead(200);
        res.end(url.pathname === '/bom.csv' ? bom : '9|x\n10|y\n');
      },
      {
        semi: { path: '/bom.csv', decoder: { type: 'csv', delimiter: ';' } },
        bare: { path: '/bare.csv', decoder: { type: 'csv', delimiter: '|', columns: ['id', 'code'] } },
      },
    );
    expect(rowsOf(await api.read('semi'))).toEqual([
      { id: '7', amount: '1,50' },
      { id: '8', amount: '2;0' },
    ]);
    expect(rowsOf(await api.read('bare'))).toEqual([
      { id: '9', code: 'x' },
      { id: '10', code: 'y' },
    ]);
  });

  test('a row with the wrong number of fields is a MalformedResponseError naming the line and the stream', async () => {
    const api = await serve(send('id,name\n1,a\n2,b,extra\n3,c\n'), {
      people: { path: '/people.csv', decoder: { type: 'csv' } },
    });
    const error = await rejectionOf(api.read('people'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(
      /stream people: line 3 of the file has a different number of fields than the header.*\[source files-test, stream people, http:\/\/127\.0\.0\.1:\d+\/people\.csv\]/,
    );
  });
});

test('a csv quote left open is a MalformedResponseError that says what to check', async () => {
  const api = await serve(send('id,name\n1,"abc\n2,def\n'), {
    people: { path: '/p.csv', decoder: { type: 'csv' } },
  });
  const error = await rejectionOf(api.read('people'));
  expect(error).toBeInstanceOf(MalformedResponseError);
  expect((error as Error).message).toMatch(
    /stream people: .*does not parse as CSV \(CSV_QUOTE_NOT_CLOSED: .*\); check the stream's decoder \(delimiter, quote, columns\)/,
  );
});

describe('compression', () => {
  const csv = 'id,v\n1,a\n2,b\n';
  const rows = [
    { id: '1', v: 'a' },
    { id: '2', v: 'b' },
  ];

  test.each([
    ['by content type', { 'content-type': 'application/gzip' }, gzipSync(csv)],
    ['by its first bytes', { 'content-type': 'application/octet-stream' }, gzipSync(csv)],
    ['as content-encoding (the transport decodes it)', { 'content-encoding': 'gzip' }, gzipSync(csv)],
    ['not compressed', { 'content-type': 'text/csv' }, Buffer.from(csv)],
  ])('auto: a gzip file is found %s', async (_how, headers, body) => {
    const api = await serve(send(body, headers), { items: { path: '/items', decoder: { type: 'csv' } } });
    expect(rowsOf(await api.read('items'))).toEqual(rows);
  });

  test('a zip: every file entry in order, each with its own header row; directories skipped', async () => {
    const zip = zipSync({
      'export/': {},
      'export/a.csv': strToU8('id,v\n1,a\n'),
      'export/b.csv': [strToU8('id,v\n2,b\n3,c\n'), { level: 0 }],
    });
    const api = await serve(send(Buffer.from(zip), { 'content-type': 'application/zip' }), {
      auto: { path: '/export.zip', decoder: { type: 'csv' } },
      declared: { path: '/export.zip', decoder: { type: 'csv' }, compression: 'zip' },
    });
    const expected = [...rows, { id: '3', v: 'c' }];
    expect(rowsOf(await api.read('auto'))).toEqual(expected);
    expect(rowsOf(await api.read('declared'))).toEqual(expected);
  });

  test('a zip written as a stream (sizes in data descriptors after each entry), found by its first bytes', async () => {
    const chunks: Uint8Array[] = [];
    const zip = new Zip((error, data) => {
      if (error) throw error;
      chunks.push(data);
    });
    for (const [name, text] of [
      ['a.csv', 'id,v\n1,a\n'],
      ['b.csv', 'id,v\n2,b\n'],
    ] as const) {
      const entry = new ZipDeflate(name, { level: 6 });
      zip.add(entry);
      entry.push(strToU8(text), true);
    }
    zip.end();
    const api = await serve(send(Buffer.concat(chunks)), { items: { path: '/x', decoder: { type: 'csv' } } });
    expect(rowsOf(await api.read('items'))).toEqual(rows);
  });

  test('compression zip on a body that is no zip is a MalformedResponseError', async () => {
    const api = await serve(send(csv), {
      items: { path: '/x', decoder: { type: 'csv' }, compression: 'zip' },
    });
    const error = await rejectionOf(api.read('items'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toMatch(/the zip file does not unzip.*check the stream's compression/);
  });
});

describe('a large file', () => {
  const ROWS = 25_000;
  const file = (rows = ROWS) => {
    let text = 'id,name\n';
    for (let i = 0; i < rows; i++) text += `${i},row ${i}\n`;
    return text;
  };

  test('lands in pages of rows, each position saying the rows of the file landed; a resume drops those', async () => {
    const body = gzipSync(file());
    const api = await serve(send(body, { 'content-type': 'application/gzip' }), {
      big: { path: '/big.csv.gz', decoder: { type: 'csv' } },
    });
    const pages = await api.read('big');
    expect(pages.map((p) => p.records.length)).toEqual([10_000, 10_000, 5_000]);
    expect(pages.map((p) => p.next)).toEqual([
      { w: 0, s: null, n: 0, r: 10_000 },
      { w: 0, s: null, n: 0, r: 20_000 },
      null,
    ]);
    expect(rowsOf(pages).map((r) => Number(r.id))).toEqual(Array.from({ length: ROWS }, (_, i) => i));

    const resumed = await api.read('big', { from: pages[0]!.next });
    expect(rowsOf(resumed)[0]).toEqual({ id: '10000', name: 'row 10000' });
    expect(rowsOf([pages[0]!, ...resumed])).toEqual(rowsOf(pages));
    expect(api.requests).toHaveLength(2); // the resume asked for the file again
  });

  test.each([
    ['plain', (text: string) => Buffer.from(text)],
    ['gzip', (text: string) => gzipSync(text)],
  ])(
    '%s: a body that breaks off is asked for again and read on from the rows decoded, none twice',
    async (_kind, encode) => {
      const body = encode(file(60_000));
      const first: { cut?: () => void } = {};
      const api = await serve(
        (_req, res) => {
          res.writeHead(200, { 'content-length': String(body.length) });
          if (first.cut) return res.end(body);
          // The first answer sends 60 % of the file and stalls, until the test cuts it.
          first.cut = () => res.destroy();
          res.write(body.subarray(0, Math.floor(body.length * 0.6)));
        },
        { big: { path: '/big.csv', decoder: { type: 'csv' } } },
      );
      const pages = [];
      for await (const page of api.pages('big')) {
        pages.push(page);
        // A first page means its 10,000 rows and some after them were decoded: now the body breaks off.
        if (pages.length === 1) first.cut!();
      }
      expect(rowsOf(pages).map((r) => Number(r.id))).toEqual(Array.from({ length: 60_000 }, (_, i) => i));
      expect(api.requests).toHaveLength(2);
    },
  );

  test('a reader stopped inside a file closes the connection: the rest of the file is not read', async () => {
    const body = Buffer.from(file(60_000));
    let closed: () => void = () => {};
    const closedNow = new Promise<void>((resolve) => (closed = resolve));
    const api = await serve(
      (_req, res) => {
        res.once('close', closed);
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, Math.floor(body.length * 0.6))); // and never the rest
      },
      { big: { path: '/big.csv', decoder: { type: 'csv' } } },
    );
    for await (const page of api.pages('big')) {
      expect(page.records).toHaveLength(10_000);
      break;
    }
    await closedNow;
  });

  test('a body that always breaks off is a TransientError after retry.maxAttempts', async () => {
    const body = Buffer.from(file());
    const api = await serve(
      (_req, res) => {
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, 200_000), () => setTimeout(() => res.destroy(), 20));
      },
      { big: { path: '/big.csv', decoder: { type: 'csv' } } },
    );
    const error = await rejectionOf(api.read('big'));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(
      /the file's body broke off \(.+\) after \d+ rows; gave up after 4 attempts/,
    );
    expect(api.requests).toHaveLength(4);
  });

  test('uncompressed and past the 64 KiB the response table reads, its kind found by its first bytes', async () => {
    const api = await serve(send(file(), { 'content-type': 'application/octet-stream' }), {
      big: { path: '/big.csv', decoder: { type: 'csv' } },
    });
    const pages = await api.read('big');
    expect(rowsOf(pages).map((r) => Number(r.id))).toEqual(Array.from({ length: ROWS }, (_, i) => i));
  });
});

describe('rows as records', () => {
  test('an incremental file stream: rows outside the window are filtered out and counted, the greatest cursor kept, transform applied', async () => {
    const file =
      'id,updated_at,secret\n1,2026-10-01T00:00:00Z,x\n2,2026-11-10T00:00:00Z,y\n3,2026-11-20T00:00:00Z,z\n4,2026-11-24T00:00:00Z,w\n';
    const api = await serve(send(file), {
      changes: {
        path: '/changes.csv',
        decoder: { type: 'csv' },
        incremental: { cursorField: 'updated_at' },
        transform: ({ secret: _, ...rest }) => rest,
      },
    });
    const pages = await api.read('changes', {
      window: { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-23T00:00:00Z') },
    });
    expect(rowsOf(pages)).toEqual([
      { id: '2', updated_at: '2026-11-10T00:00:00Z' },
      { id: '3', updated_at: '2026-11-20T00:00:00Z' },
    ]);
    expect(pages[0]).toMatchObject({ filteredOut: 2, maxCursor: '2026-11-20T00:00:00.000Z', end: 'api' });
  });
});

describe('the response table', () => {
  test('a 503 is buffered, classified and retried like any answer; the 200 after it is streamed', async () => {
    let calls = 0;
    const api = await serve(
      (_req, res) => {
        if (++calls === 1) {
          res.writeHead(503, { 'content-type': 'application/json' });
          return res.end('{"message":"busy"}');
        }
        res.writeHead(200);
        res.end('id\n1\n');
      },
      { items: { path: '/x.csv', decoder: { type: 'csv' } } },
    );
    expect(rowsOf(await api.read('items'))).toEqual([{ id: '1' }]);
    expect(api.requests).toHaveLength(2);
  });

  test("a 200 whose first bytes match a rule's bodyContains is classified by it (notReady: asked again)", async () => {
    let calls = 0;
    const api = await serve(
      (_req, res) => {
        res.writeHead(200);
        res.end(++calls === 1 ? 'export still preparing, come back later' : 'id\n1\n');
      },
      {
        items: {
          path: '/x.csv',
          decoder: { type: 'csv' },
          responseRules: [{ status: 200, bodyContains: 'still preparing', action: 'notReady' }],
        },
      },
    );
    expect(rowsOf(await api.read('items'))).toEqual([{ id: '1' }]);
    expect(api.requests).toHaveLength(2);
  });

  test('an `empty` answer is a file of no rows that ends the walk', async () => {
    const api = await serve(
      (_req, res) => {
        res.writeHead(404);
        res.end('no export today');
      },
      {
        items: {
          path: '/x.csv',
          decoder: { type: 'csv' },
          responseRules: [{ status: 404, action: 'empty' }],
        },
      },
    );
    const pages = await api.read('items');
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ records: [], next: null, end: 'api' });
  });
});

describe('paging across files', () => {
  test('a Link header leads from file to file; a position names the file by its paginator state', async () => {
    const api = await serve(
      (_req, res, url) => {
        const part = Number(url.searchParams.get('part') ?? '1');
        const headers: Record<string, string> = {};
        if (part < 3) headers.link = `</parts?part=${part + 1}>; rel="next"`;
        res.writeHead(200, headers);
        res.end(`{"id":${part}}\n`);
      },
      { parts: { path: '/parts', decoder: { type: 'jsonl' }, paginator: { type: 'link' } } },
    );
    const pages = await api.read('parts');
    expect(rowsOf(pages)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(pages[0]!.next).toEqual({ w: 0, s: { url: `${api.url}/parts?part=2` }, n: 1 });
    expect(pages.at(-1)!.next).toBeNull();
  });

  test('offset counts the rows of each file: a short file is the last', async () => {
    const api = await serve(
      (_req, res, url) => {
        const offset = Number(url.searchParams.get('offset'));
        res.writeHead(200);
        const ids = [0, 1, 2, 3, 4].slice(offset, offset + 2);
        res.end(`id\n${ids.join('\n')}\n`);
      },
      { rows: { path: '/rows.csv', decoder: { type: 'csv' }, paginator: { type: 'offset', limit: 2 } } },
    );
    expect(rowsOf(await api.read('rows')).map((r) => r.id)).toEqual(['0', '1', '2', '3', '4']);
  });
});

describe('the definition', () => {
  test('a paginator that reads the body, or `records`, on a csv stream is a problem naming the stream and what to do', () => {
    const error = (() => {
      try {
        defineSource({
          name: 'files-test',
          baseUrl: 'https://files.example.com',
          streams: {
            exports: {
              path: '/x.csv',
              decoder: { type: 'csv' },
              paginator: { type: 'nextUrl', path: 'next' },
            },
            other: { path: '/y.jsonl', decoder: { type: 'jsonl' }, records: 'data' },
            plain: { path: '/z', compression: 'gzip' },
            twice: { path: '/t.csv', decoder: { type: 'csv', columns: ['id', 'id'] } },
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DefinitionError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /streams\.exports\.paginator: the nextUrl paginator reads "next" from a JSON body, but a csv stream's body is rows: page it by headers or the URL/,
    );
    expect(message).toMatch(/streams\.other\.records: applies to a json body only/);
    expect(message).toMatch(/streams\.plain\.compression: "gzip" applies to a streamed file/);
    expect(message).toMatch(/streams\.twice\.decoder: columns: a column name is listed twice/);
  });
});
