/**
 * Strips secret values from text (URLs, body snippets, messages) before it is logged, thrown or
 * stored: each value, and its percent- and form-encoded forms, becomes `***`.
 */

export const REDACTED = '***';

/** Shorter values are too likely to be ordinary text (`1`, `true`). */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  readonly #needles = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const value of values) {
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      this.#needles.add(value);
      this.#needles.add(encodeURIComponent(value));
      this.#needles.add(new URLSearchParams({ v: value }).toString().slice(2));
      this.#needles.add(Buffer.from(value).toString('base64'));
    }
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.#needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  }

  /** A URL with secrets stripped; `hideParams` are masked whatever their value (e.g. an API key param). */
  url(url: URL | string, hideParams: readonly string[] = []): string {
    let href = typeof url === 'string' ? url : url.href;
    if (hideParams.length) {
      const parsed = new URL(href);
      for (const name of hideParams)
        if (parsed.searchParams.has(name)) parsed.searchParams.set(name, REDACTED);
      href = parsed.href;
    }
    return this.redact(href);
  }

  /** The start of a body, one line, secrets stripped. */
  snippet(body: Buffer | string, max = 200): string {
    const text =
      typeof body === 'string' ? body.slice(0, max * 2) : body.subarray(0, max * 2).toString('utf8');
    const line = text.replace(/\s+/g, ' ').trim();
    return this.redact(line.length > max ? `${line.slice(0, max)}…` : line);
  }
}
