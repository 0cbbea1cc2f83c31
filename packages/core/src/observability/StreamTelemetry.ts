/**
 * Logs and metrics of one stream in one invocation: a child Powertools Logger with the stream as a
 * persistent key, and EMF metrics (namespace `Tributary`, dimensions source/stream) published when
 * the stream stops — records, pages, bytes, retries, filteredOut, duration, and any warning's count.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { redactUrl } from './redactUrl.ts';

/** The CloudWatch namespace of every Tributary metric. */
export const METRICS_NAMESPACE = 'Tributary';

export class StreamTelemetry {
  readonly logger: Logger;
  records = 0;
  pages = 0;
  bytes = 0;
  retries = 0;
  /** Records outside the window left out (see `Page.filteredOut`). */
  filteredOut = 0;
  /** Named counts beyond the usual ones, e.g. `cursorFieldMissing`; published with them. */
  private readonly counts = new Map<string, number>();
  private readonly startedMs = performance.now();

  constructor(
    parent: Logger,
    private readonly source: string,
    readonly stream: string,
  ) {
    this.logger = parent.createChild({ persistentKeys: { stream } });
  }

  page(info: { page: number; records: number; url: string }): void {
    this.pages += 1;
    this.records += info.records;
    this.logger.debug('page landed', { page: info.page, records: info.records, url: redactUrl(info.url) });
  }

  request(info: { url: string; page: number; attempt: number }): void {
    this.logger.debug('request', { page: info.page, attempt: info.attempt, url: redactUrl(info.url) });
  }

  /** Counts a retry; the HTTP layer logs it (through the run's logger, so with runId and source). */
  retry(): void {
    this.retries += 1;
  }

  /** Logs a warning about the stream and counts it as the metric `metric`. */
  warn(metric: string, message: string, extra: Record<string, unknown> = {}): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + 1);
    this.logger.warn(message, { warning: metric, ...extra });
  }

  /** Emits the stream's EMF metrics for this invocation. */
  publish(): void {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: this.source });
    metrics.addDimensions({ source: this.source, stream: this.stream });
    metrics.addMetric('records', MetricUnit.Count, this.records);
    metrics.addMetric('pages', MetricUnit.Count, this.pages);
    metrics.addMetric('bytes', MetricUnit.Bytes, this.bytes);
    metrics.addMetric('retries', MetricUnit.Count, this.retries);
    metrics.addMetric('filteredOut', MetricUnit.Count, this.filteredOut);
    for (const [name, n] of this.counts) metrics.addMetric(name, MetricUnit.Count, n);
    metrics.addMetric('duration', MetricUnit.Milliseconds, Math.round(performance.now() - this.startedMs));
    metrics.publishStoredMetrics();
  }
}
