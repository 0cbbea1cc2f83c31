/**
 * The V8 flags the functions run with on Lambda: `NODE_FLAGS` in the exec wrapper every function
 * zip carries (scripts/lambda/node-flags.sh, named by AWS_LAMBDA_EXEC_WRAPPER in serverless.yml).
 * The bench gives them to every contender, so that all run on the VM settings a deployed function has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './childEntries.ts';

export const WRAPPER = 'scripts/lambda/node-flags.sh';

export function lambdaNodeFlags(): string[] {
  const script = readFileSync(join(repoRoot, WRAPPER), 'utf8');
  const line = /^NODE_FLAGS=\((.*)\)$/m.exec(script);
  if (!line) throw new Error(`${WRAPPER}: no NODE_FLAGS=(…) line`);
  return line[1]!.split(/\s+/).filter(Boolean);
}
