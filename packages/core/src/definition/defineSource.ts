/**
 * `defineSource(input)`: validates a source definition once, when the module loads, and returns it
 * with every default filled in. Every problem is reported at once, each with its path:
 *
 *     DefinitionError: source github: 2 problems in the definition
 *       - streams.issues.paginator.type: unknown kind "foo"; valid kinds: single, offset, page, cursor, nextUrl, link
 *       - streams.comments.parent.stream: no stream "isues" in this source; streams: issues, comments
 */
import { DefinitionError } from '../errors.ts';
import { checkDefinition } from './checkDefinition.ts';
import { formatIssue } from './formatIssues.ts';
import { type SourceDefinition, type SourceInput, SourceSchema } from './schema.ts';

function fail(input: unknown, problems: string[]): never {
  const name = (input as { name?: unknown } | null)?.name;
  const who = typeof name === 'string' && name ? `source ${name}` : 'source definition';
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  throw new DefinitionError(
    `${who}: ${count} in the definition\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    {
      problems,
    },
  );
}

export function defineSource(input: SourceInput): SourceDefinition {
  // `jitless`: parsed once per cold start, so zod's compiled fast path (generated with `new Function`
  // on the first parse of each object schema) costs more than it saves: 10 → 6 ms of CPU for the
  // github or stripe definition (bench/FINDINGS.md §13). Same result either way.
  const parsed = SourceSchema.safeParse(input, { jitless: true });
  if (!parsed.success)
    fail(
      input,
      parsed.error.issues.map((issue) => formatIssue(issue, input)),
    );
  const problems = checkDefinition(parsed.data);
  if (problems.length) fail(input, problems);
  return parsed.data;
}
