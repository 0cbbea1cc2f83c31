// PLACEHOLDER owned by the HTTP-layer work (issue 2): replaced by the real validation with readable errors.
import { type SourceDefinition, type SourceInput, SourceSchema } from './schema.ts';

export function defineSource(input: SourceInput): SourceDefinition {
  return SourceSchema.parse(input);
}
