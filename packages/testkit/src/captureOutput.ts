/**
 * Records everything written to stdout and stderr (where Powertools Logger and console write) while
 * still passing it through, so a test can assert that a secret never reached the logs.
 */
export interface CapturedOutput {
  /** All text written since capture began. */
  text(): string;
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const restores = [process.stdout, process.stderr].map((stream) => {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    return () => {
      stream.write = original;
    };
  });
  return {
    text: () => chunks.join(''),
    restore: () => {
      for (const r of restores) r();
    },
  };
}
