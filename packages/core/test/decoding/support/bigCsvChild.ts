/**
 * Run in a child process with a small heap (see bigCsv.test.ts): reads the CSV at the URL given
 * through the real reader (a `csv` stream), counts its rows and checks they come in order, and
 * prints what it read and the process's peak RSS as JSON. Holding the file would exceed the heap cap.
 */
import { defineSource } from '../../../src/definition/defineSource.ts';
import { createReader } from '../../../src/http/createReader.ts';

const [url] = process.argv.slice(2) as [string];
const source = defineSource({
  name: 'big-csv',
  baseUrl: 'https://files.example.com',
  timeouts: { connectMs: 10_000, totalMs: 120_000 },
  streams: { big: { path: '/big.csv', decoder: { type: 'csv' } } },
});
const quiet = { debug() {}, info() {}, warn() {} };
const reader = createReader(source, { baseUrl: url, logger: quiet });
let rows = 0;
let pages = 0;
let outOfOrder = 0;
let maxPageRows = 0;
for await (const page of reader('big', { window: { until: new Date() } })) {
  pages++;
  maxPageRows = Math.max(maxPageRows, page.records.length);
  for (const record of page.records) if (Number(record.id) !== rows++) outOfOrder++;
}
process.stdout.write(
  `${JSON.stringify({
    rows,
    pages,
    outOfOrder,
    maxPageRows,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
