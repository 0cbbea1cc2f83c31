/**
 * `pnpm check` on file streams and request bodies: a CSV stream shows its decoder, the columns of
 * the header row and the rows of the first page instead of a records path (and the next page as
 * the same file read on); a jsonl stream its decoder and the first row's keys; a POST shows the body
 * it sent, secret-looking values masked (JSON keys, form fields); the other sections stay.
 */
import { defineSource } from '@tributary/core';
import { Redactor } from '@tributary/core/definition';
import { type LoopbackApi, startApi } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLines } from '../src/local/checkFile.ts';
import { checkSource } from '../src/local/index.ts';

function csvOf(rows: number): string {
  let text = 'id,name,updated_at\n';
  for (let i = 1; i <= rows; i++) text += `${i},"name, ${i}",2026-11-0${(i % 9) + 1}T00:00:00Z\n`;
  return text;
}

let api: LoopbackApi;
beforeAll(async () => {
  const big = csvOf(25_000);
  api = await startApi({
    'GET /export/rows.csv': () => ({ headers: { 'content-type': 'text/csv' }, body: big }),
    'POST /reports/run': () => ({ headers: { 'content-type': 'text/csv' }, body: csvOf(3) }),
    'POST /reports/form': () => ({ headers: { 'content-type': 'text/csv' }, body: csvOf(2) }),
    'GET /export/rows.jsonl': () => ({
      headers: { 'content-type': 'application/x-ndjson' },
      body: '{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\n',
    }),
  });
});
afterAll(async () => {
  await api?.close();
});

const files = defineSource({
  name: 'files-check',
  baseUrl: 'https://files.example.com',
  streams: {
    rows: {
      path: '/export/rows.csv',
      decoder: { type: 'csv' },
      primaryKey: 'id',
      incremental: { cursorField: 'updated_at' },
    },
    report: {
      path: '/reports/run',
      request: {
        type: 'json',
        method: 'POST',
        retrySafe: true,
        body: { report: 'daily', to: '{until:date}', api_key: 'k-literal-0042', limit: { $number: '500' } },
      },
      decoder: { type: 'csv', delimiter: ',' },
      primaryKey: 'id',
    },
    form_report: {
      path: '/reports/form',
      request: { type: 'form', method: 'POST', fields: { report: 'daily', token: 't-literal-0042' } },
      decoder: { type: 'csv' },
      primaryKey: 'id',
    },
    lines: { path: '/export/rows.jsonl', decoder: { type: 'jsonl' }, primaryKey: 'id' },
  },
});

const run = (stream: string) =>
  checkSource({
    source: 'files-check',
    definition: files,
    stream,
    env: { FILES_CHECK_API_BASE_URL: api.url },
    now: new Date('2026-11-20T00:00:00Z'),
  });

describe('pnpm check on file streams', () => {
  it('a csv stream: the decoder, the header row, the rows of the first page; the next page is the file read on', async () => {
    const result = await run('rows');
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('  decoder: csv (delimiter ","), compression auto');
    expect(result.output).toContain('  columns (the header row): id, name, updated_at');
    expect(result.output).toContain('  rows: 10000 on the first page');
    expect(result.output).not.toContain('records path');
    expect(result.output).toContain('next: the same file again, from row 10001');
    // The rest stays: the key and cursor counts, the sample, the columns.
    expect(result.output).toContain('primary key [id]: on 10000 of 10000 records');
    expect(result.output).toContain('cursor field updated_at: on 10000 of 10000 records');
    expect(result.output).toContain('"name": "name, 1"');
    expect(result.output).toMatch(
      /raw table raw_files_check_rows: id string, name string, updated_at string/,
    );
  });

  it('a jsonl stream: the decoder and the first row keys', async () => {
    const result = await run('lines');
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('  decoder: jsonl, compression auto');
    expect(result.output).toContain('  keys of the first row: id, kind');
    expect(result.output).toContain('  rows: 2 on the first page');
  });
});

describe('pnpm check on a POST stream', () => {
  it('shows the rendered JSON body it sent, secret-looking values masked', async () => {
    const result = await run('report');
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/reports\/run/);
    expect(result.output).toContain('    body (secret-looking values masked):');
    expect(result.output).toContain('"report": "daily"');
    expect(result.output).toContain('"to": "2026-11-20"');
    expect(result.output).toContain('"limit": 500');
    expect(result.output).not.toContain('k-literal-0042');
    expect(result.output).toContain('"api_key": "***"');
    expect(result.output).toContain('  rows: 3 on the first page');
  });

  it('a form body: each field shown, secret-looking ones masked', async () => {
    const result = await run('form_report');
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('      report=daily&token=***');
    expect(result.output).not.toContain('t-literal-0042');
  });
});

describe('a body shown by pnpm check', () => {
  it("holds none of the secret's values, whatever key carries them", () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-value-77');
    const json = bodyLines('{"account":"s3cr3t-value-77","n":1}', 'application/json', redactor).join('\n');
    const form = bodyLines('q=s3cr3t-value-77&n=1', 'application/x-www-form-urlencoded', redactor).join('\n');
    expect(json).not.toContain('s3cr3t-value-77');
    expect(json).toContain('"n": 1');
    expect(form).not.toContain('s3cr3t-value-77');
    expect(form).toContain('&n=1');
  });
});
