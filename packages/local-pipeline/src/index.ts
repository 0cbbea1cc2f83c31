export type { StateMachineDefinition } from 'aws-local-stepfunctions';
export {
  LocalPipelineError,
  PackagingError,
  TaskError,
  TemplateError,
  UnmappedTaskError,
} from './errors.ts';
export { glueArgv, type PackagedGlueJob, packagedGlueJob } from './glueJob.ts';
export {
  type LoadOptions,
  loadPackagedStateMachine,
  type PackagedStateMachine,
  readTemplate,
  TEMPLATE_FILE,
} from './loadPackagedStateMachine.ts';
export {
  createLambdaContext,
  type LambdaContextOptions,
  type LocalHandler,
  localLambdas,
} from './localLambda.ts';
export {
  type PackagedService,
  type PackageServiceOptions,
  packageInputsHash,
  packageService,
  withServiceLock,
} from './packageService.ts';
export { type CloudFormationTemplate, type FakeAwsContext, resolveIntrinsics } from './resolveIntrinsics.ts';
export {
  type AwsSdkRequest,
  type GlueJobOutcome,
  type GlueJobRequest,
  type JsonValue,
  type PipelineEvent,
  type RunStateMachineOptions,
  type RunStateMachineResult,
  runStateMachine,
} from './runStateMachine.ts';
export {
  awsSdkCall,
  retryingStates,
  type TaskKind,
  type TaskState,
  taskKind,
  taskStates,
} from './taskResources.ts';
