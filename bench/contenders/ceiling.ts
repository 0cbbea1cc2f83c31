/**
 * The ceiling: the work no ingestion can avoid. A bare node:http client with keep-alive fetches
 * every page, parses it, takes the cursor and discards the records.
 */
import { Agent, get } from 'node:http';
import { measure } from './measure.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function fetchPage(url: string): Promise<Buffer> {
  return new Promise((ok, fail) => {
    get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 ? ok(Buffer.concat(chunks)) : fail(new Error(`HTTP ${res.statusCode} ${url}`)),
      );
      res.on('error', fail);
    }).on('error', fail);
  });
}

await measure(async ({ apiUrl }) => {
  let records = 0;
  let pages = 0;
  let bytes = 0;
  let cursor: string | null = null;
  do {
    const body = await fetchPage(cursor ? `${apiUrl}?cursor=${encodeURIComponent(cursor)}` : apiUrl);
    bytes += body.length;
    const page = JSON.parse(body.toString('utf8')) as {
      data: unknown[];
      has_more: boolean;
      next_cursor: string | null;
    };
    records += page.data.length;
    pages++;
    cursor = page.has_more ? page.next_cursor : null;
  } while (cursor);
  return { records, detail: { pages, bytes } };
});
