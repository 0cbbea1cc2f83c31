// PLACEHOLDER owned by the landing-path work (issue 3): replaced by the real handler factory.
import type { Context } from 'aws-lambda';
import type { SourceDefinition } from '../definition/schema.ts';

export function createHandler(definition: SourceDefinition) {
  return async (_event: unknown, _context?: Context): Promise<unknown> => {
    throw new Error(`createHandler is not implemented yet (source ${definition.name})`);
  };
}
