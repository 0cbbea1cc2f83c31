/**
 * The Socrata CSV export double: SODA's `/resource/<4x4>.csv` (the response type extension of the
 * formats page), for this source's tests (`startApi(socrataCsvRoute(…))` on loopback) and the local
 * pipeline (`sandboxDouble`). The query is the socrata source's double (`@tributary/source-socrata/double`,
 * one SoQL engine: `$select`, `$where`, `$order`, `$limit` up to 50,000, `$offset`, the app token,
 * `429`, `202 Request Processing`, SoQL errors as JSON); this file writes its page as CSV:
 * - `Content-Type: text/csv; charset=utf-8`, the header row of the selected columns, SODA's CSV
 *   quoting (`csv.ts`), the `X-SODA2-*` headers;
 * - gzip when the request's `Accept-Encoding` allows it (`Content-Encoding: gzip`, `Vary`), as
 *   SODA's server compresses its responses;
 * - a broken row on demand (`faults.badRowOn`: a row with a field too many, or a quote never closed),
 *   for the source's test of a file that cannot be read.
 */

import type { SandboxRequest } from '@tributary/sandbox/double';
import { type SocrataFaults, socrataDouble } from '@tributary/source-socrata/double';
import type { ApiReply, ApiRoute, SourceDouble } from '@tributary/testkit';
import { csvLine, selectedColumns } from './csv.ts';
import { makePermits } from './rows.ts';

export { csvLine, selectedColumns, writeCsv } from './csv.ts';
export { COLUMNS, makePermit, makePermits, type PermitRow } from './rows.ts';

type Row = Record<string, unknown>;

export interface BadRow {
  /** The `:id` of the row written wrong. */
  id: string;
  /** `extraField`: one value more than the header; `unterminatedQuote`: a quote opened and never closed. */
  kind: 'extraField' | 'unterminatedQuote';
}

export interface SocrataCsvFaults extends Partial<SocrataFaults> {
  /** By dataset id: the row its export writes wrong. */
  badRowOn?: Map<string, BadRow>;
}

export interface SocrataCsvOptions {
  /** Rows by dataset id, read on every request (a test may add rows). */
  datasets: Map<string, Row[]>;
  /** The app token accepted; `undefined`: none is fine, any is wrong. */
  appToken: string | undefined;
  faults?: SocrataCsvFaults;
  /** Refuse a query without `$select=:*, *` and `$order=:id` (the source's tests). @default false */
  strict?: boolean;
}

const CSV_PATH = /\/resource\/([a-z0-9]{4}-[a-z0-9]{4})\.csv$/;

/** Every column the dataset's rows have, in first-seen order. */
function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

const reply = (r: { status: number; headers?: Record<string, string>; body: unknown }): ApiReply => ({
  status: r.status,
  headers: r.headers ?? {},
  body: r.body,
});

function broken(line: string, kind: BadRow['kind']): string {
  return kind === 'extraField' ? `${line},unexpected` : `"${line}`;
}

export function socrataCsvRoute(options: SocrataCsvOptions): ApiRoute {
  const { datasets, faults = {} } = options;
  const engine = socrataDouble({
    datasets,
    appToken: options.appToken,
    strict: options.strict ?? false,
    faults: {
      throttleOn: faults.throttleOn ?? new Map(),
      malformedOn: faults.malformedOn ?? new Set(),
      ...(faults.processingOn && { processingOn: faults.processingOn }),
    },
  });
  const query = engine.routes[0]!;
  return (req) => {
    const match = CSV_PATH.exec(req.path);
    if (!match || req.method !== 'GET') {
      return {
        status: 404,
        body: { code: 'not_found', error: true, message: `No route for ${req.method} ${req.path}` },
      };
    }
    const url = new URL(`${req.path}${req.query.size > 0 ? `?${req.query}` : ''}`, 'http://127.0.0.1');
    const request: SandboxRequest = { method: 'GET', url, match, headers: req.headers, body: req.body };
    const refused = engine.authorize(request);
    if (refused) return reply(refused);
    const result = query.handle(request);
    if (result.status !== 200) return reply(result);
    const id = match[1] as string;
    const columns = selectedColumns(columnsOf(datasets.get(id) ?? []), url.searchParams.get('$select'));
    const bad = faults.badRowOn?.get(id);
    const lines = [columns.join(',')];
    for (const row of result.body as Row[]) {
      const line = csvLine(columns, row);
      lines.push(bad && row[':id'] === bad.id ? broken(line, bad.kind) : line);
    }
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    return {
      status: 200,
      headers: {
        ...result.headers,
        'content-type': 'text/csv; charset=utf-8',
        ...(gzip && { vary: 'Accept-Encoding' }),
      },
      body: `${lines.join('\n')}\n`,
      gzip,
    };
  };
}

/** The datasets the sandbox serves, as `SOCRATA_CSV_DATASETS` names them. */
export const SANDBOX_DATASETS = ['permits=ipu4-2q9a'] as const;
/** The sandbox's app token (`api-credentials/socrata-csv`). */
export const SANDBOX_SECRET = { app_token: 'sandboxCsvAppToken0000000' } as const;

/**
 * This double in the local pipeline (`pnpm demo`, `pnpm local:up`, the e2e tests): the sandbox's
 * datasets with `records` rows each, its app token in the emulator's secret.
 */
export const sandboxDouble: SourceDouble = {
  secret: { ...SANDBOX_SECRET },
  routes: (records) => {
    const datasets = new Map<string, Row[]>();
    for (const entry of SANDBOX_DATASETS) {
      const id = entry.split('=')[1] as string;
      datasets.set(id, makePermits(id, records));
    }
    return socrataCsvRoute({ datasets, appToken: SANDBOX_SECRET.app_token });
  },
  env: () => ({
    SOCRATA_CSV_DOMAIN: 'data.cityofnewyork.us',
    SOCRATA_CSV_DATASETS: SANDBOX_DATASETS.join(','),
  }),
};
