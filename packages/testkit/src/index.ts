export { type CapturedOutput, captureOutput } from './captureOutput.ts';
export { assertManifestIsTheCommitPoint, type ManifestCommitPointOptions } from './commitPoint.ts';
export { committedMismatches } from './committed.ts';
export { type FaultProxy, type ProxiedRequest, startFaultProxy } from './faultProxy.ts';
export {
  type FixtureApi,
  type FixtureRequest,
  type FixtureResponse,
  type FixtureRoute,
  startFixtureApi,
} from './fixtureApi.ts';
export {
  createBucket,
  createSecret,
  getJson,
  getObject,
  keysContaining,
  type LandedStream,
  lambdaContext,
  listKeys,
  readLanded,
  readRecords,
} from './lake.ts';
export { type ApiReply, type ApiRequest, type ApiRoute, type LoopbackApi, startApi } from './loopbackApi.ts';
export { type LoopbackListener, type LoopbackServer, readBody, serveLoopback } from './loopbackServer.ts';
export { freePort, type MotoServer, motoBinary, startMoto } from './moto.ts';
export { rejectionOf } from './rejectionOf.ts';
export type { SourceDouble } from './sourceDouble.ts';
export { type SourceTest, type SourceTestOptions, startSourceTest } from './sourceTest.ts';
export { mostInWindow, type StrictWindow, type StrictWindowOptions, strictWindow } from './strictWindow.ts';
