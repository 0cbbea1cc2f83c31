/**
 * Taps the handlers' structured JSON logs (Powertools Logger lines and EMF metric lines on stdout
 * and stderr) while they run in this process: each line parsed and handed to a callback — the
 * demo's live progress — and kept off the terminal; any other output passes through unchanged.
 */

export type LogLine = Record<string, unknown>;

type Write = typeof process.stdout.write;

export class LogTap {
  private readonly originals: Array<[NodeJS.WriteStream, Write]> = [];

  constructor(private readonly onLine: (line: LogLine) => void) {}

  start(): this {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      this.originals.push([stream, original]);
      const tap = this;
      stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        const text =
          typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
        if (text?.startsWith('{') && tap.consume(text)) {
          const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
        return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as Write;
    }
    return this;
  }

  stop(): void {
    for (const [stream, original] of this.originals.splice(0)) stream.write = original;
  }

  /** True when every line of the chunk was a JSON log line. */
  private consume(text: string): boolean {
    const lines = text.split('\n').filter((l) => l.trim());
    const parsed: LogLine[] = [];
    for (const line of lines) {
      try {
        const value = JSON.parse(line) as unknown;
        if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
        const v = value as LogLine;
        if (!('level' in v) && !('_aws' in v)) return false;
        parsed.push(v);
      } catch {
        return false;
      }
    }
    for (const p of parsed) this.onLine(p);
    return parsed.length > 0;
  }
}
