export {
  CheckFailedError,
  type CheckOptions,
  type CheckResult,
  CheckUsageError,
  checkSource,
  loadDefinition,
  type StreamCheck,
} from './checkSource.ts';
export {
  type Doubles,
  doubleModule,
  type LeftOutSource,
  localPipelineInput,
  type MountedDouble,
  mountDoubles,
  registeredSources,
} from './doubles.ts';
export { type IngestedResult, IngestionTally, ingestionReport } from './ingestionReport.ts';
export {
  type InvocationInfo,
  LambdaInvocationError,
  LocalLambdas,
  type LocalLambdasOptions,
} from './LocalLambdas.ts';
export { type LogLine, LogTap } from './LogTap.ts';
export {
  continuationFile,
  functionKey,
  type InvokeResult,
  LocalInvokeError,
  type LocalInvokeOptions,
  localInvoke,
  parseInvokeOutput,
  renderLogLine,
  summaryTable,
} from './localInvoke.ts';
export { LocalFlagError, localShellEnv, parseSourceFlags, type SourceFlags } from './localShell.ts';
export {
  fmt,
  PipelineProgress,
  type SourceProgress,
  type StreamProgress,
  seconds,
  table,
} from './PipelineProgress.ts';
export { paths, repoRoot } from './paths.ts';
export { checkPrerequisites, type MissingPrerequisite } from './prerequisites.ts';
export { type ColumnPreview, type PreviewTable, previewColumns } from './previewColumns.ts';
export { type ProvisionOptions, provision } from './provision.ts';
export { type CuratedTables, type ReadCuratedOptions, readCurated } from './readCurated.ts';
export { CurateFailedError, type CurateSummary, runCurate, stopCurateProcesses } from './runCurate.ts';
export {
  type HandlerResultLike,
  type InvocationRecord,
  type LocalPipelineOptions,
  type LocalPipelineResult,
  runLocalPipeline,
} from './runLocalPipeline.ts';
export {
  formatRunReport,
  type RunReport,
  type RunReportCheck,
  type RunReportStream,
  readRunReport,
} from './runReport.ts';
export { createStandInStack, type StandInStackOptions } from './standInStack.ts';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './startLocalStack.ts';
export { type PackagedFunction, type PackagedService, readPackagedService } from './template.ts';
