export { socrataStreamName } from '../../../functions/socrata/double/index.ts';
export type { SandboxApiDouble, SourceName } from './api.ts';
export { createSandbox, type FailureMode, type Sandbox } from './createSandbox.ts';
export { SandboxError, SandboxOptionsError } from './errors.ts';
export type { FaultOptions } from './faults.ts';
export { DEFAULT_CREDENTIALS, type SandboxCredentials, type SandboxOptions } from './options.ts';
export { mulberry32 } from './random.ts';
export type { ServedReport, SourceServed, StreamServed } from './ServedLog.ts';
export { discoverApiDoubles, knownSource, SOURCE_NAMES } from './sources.ts';
