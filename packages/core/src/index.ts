export * from './definition/schema.ts';
export * from './errors.ts';
export type * from './stream/types.ts';
