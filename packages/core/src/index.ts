export {
  inferColumns,
  type RegisterRawTableInput,
  rawTableName,
  registerRawTable,
} from './catalog/rawTable.ts';
export { type EnvListOptions, envList } from './config/envList.ts';
export { type EnvValueOptions, envValue } from './config/envValue.ts';
export { defineSource } from './definition/defineSource.ts';
export * from './definition/schema.ts';
export * from './errors.ts';
export { createHandler } from './handler/createHandler.ts';
export type * from './stream/types.ts';
