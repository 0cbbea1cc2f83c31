/** What the sandbox served: unique records per stream (by primary key), pages, requests, faults. */
import type { SourceName } from './api.ts';

export interface StreamServed {
  /** Distinct primary keys served (a record served twice counts once). */
  unique: number;
  /** Records served, repeats included. */
  records: number;
  /** Successful pages. */
  pages: number;
}

export interface SourceServed {
  requests: number;
  /** 429s and 503s injected. */
  faults: number;
  /** Refusals: bad credentials, forced failures. */
  errors: number;
  streams: Record<string, StreamServed>;
}

export type ServedReport = Partial<Record<SourceName, SourceServed>>;

export class ServedLog {
  private readonly keys = new Map<string, Set<string>>();
  private report: ServedReport = {};

  private source(name: SourceName): SourceServed {
    let s = this.report[name];
    if (!s) {
      s = { requests: 0, faults: 0, errors: 0, streams: {} };
      this.report[name] = s;
    }
    return s;
  }

  request(source: SourceName): void {
    this.source(source).requests++;
  }

  fault(source: SourceName): void {
    this.source(source).faults++;
  }

  error(source: SourceName): void {
    this.source(source).errors++;
  }

  page(source: SourceName, stream: string, keys: string[]): void {
    const id = `${source}/${stream}`;
    let set = this.keys.get(id);
    if (!set) {
      set = new Set();
      this.keys.set(id, set);
    }
    for (const k of keys) set.add(k);
    const streams = this.source(source).streams;
    const s = streams[stream] ?? { unique: 0, records: 0, pages: 0 };
    s.records += keys.length;
    s.pages++;
    s.unique = set.size;
    streams[stream] = s;
  }

  uniqueKeys(source: SourceName, stream: string): Set<string> {
    return new Set(this.keys.get(`${source}/${stream}`) ?? []);
  }

  snapshot(): ServedReport {
    return structuredClone(this.report);
  }

  reset(): void {
    this.keys.clear();
    this.report = {};
  }
}
