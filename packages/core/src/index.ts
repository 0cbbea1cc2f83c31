export { defineSource } from './definition/defineSource.ts';
export * from './definition/schema.ts';
export * from './errors.ts';
export { createHandler } from './handler/createHandler.ts';
export type * from './stream/types.ts';
