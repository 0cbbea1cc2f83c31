/**
 * A CSV file of `bytes` (about), generated as it is sent and never held: the header
 * `id,name,city,amount,note` and rows `<i>,name <i>,"City, <i % 97>",<i % 1000>.25,<padding>`
 * (about 100 bytes each, a quoted comma in every row). `rowsIn(bytes)` says how many rows it holds.
 */
import type { ServerResponse } from 'node:http';

const HEADER = 'id,name,city,amount,note\n';
const PAD = 'lorem ipsum dolor sit amet consectetur adipiscing';

const row = (i: number) => `${i},name ${i},"City, ${i % 97}",${i % 1000}.25,${PAD}\n`;

/** Rows until the file reaches `bytes`: the last row is the one that reaches it. */
export function rowsIn(bytes: number): number {
  let size = HEADER.length;
  let rows = 0;
  while (size < bytes) size += row(rows++).length;
  return rows;
}

/** Writes the file to `res` as it goes, waiting whenever the socket is full. */
export async function sendCsv(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/csv' });
  let size = HEADER.length;
  let chunk = HEADER;
  for (let i = 0; size < bytes; i++) {
    const line = row(i);
    chunk += line;
    size += line.length;
    if (chunk.length >= 64 * 1024) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
      if (res.destroyed) return;
      chunk = '';
    }
  }
  res.end(chunk);
}
