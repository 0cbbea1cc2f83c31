/**
 * A source's test set-up in one call: its bucket and secret on the moto server, its API double on
 * loopback, the environment its handler reads (`API_BASE_URL`, `TARGET_S3_BUCKET_NAME`,
 * `SECRET_NAME`, `OUTPUT_FOLDER` and the source's own), the output captured, and the handler
 * imported once all that is in place (a source reads its environment when its module loads).
 * `close()` (in `afterAll`) restores the output and stops the double.
 */
import { type CapturedOutput, captureOutput } from './captureOutput.ts';
import { createBucket, createSecret } from './lake.ts';
import { type ApiRoute, type LoopbackApi, startApi } from './loopbackApi.ts';

export interface SourceTestOptions<H> {
  bucket: string;
  /** The secret the source reads: its name (`SECRET_NAME`) and its JSON. */
  secret: readonly [name: string, value: Record<string, string>];
  /** `OUTPUT_FOLDER`. */
  folder: string;
  /** The source's double, as a loopback route. */
  route: ApiRoute;
  /** Called once the double is up, before the environment is set (e.g. records that carry its URL). */
  onServe?: (api: LoopbackApi) => void;
  /** The source's own environment, given the double's URL. @default none */
  env?: (url: string) => Record<string, string>;
  /** Imports the handler, e.g. `() => import('../src/handler.ts')`. */
  handler: () => Promise<{ handler: H }>;
}

export interface SourceTest<H> {
  api: LoopbackApi;
  handler: H;
  output: CapturedOutput;
  close(): Promise<void>;
}

export async function startSourceTest<H>(options: SourceTestOptions<H>): Promise<SourceTest<H>> {
  const [secretName, secret] = options.secret;
  await createBucket(options.bucket);
  await createSecret(secretName, secret);
  const api = await startApi(options.route);
  options.onServe?.(api);
  Object.assign(process.env, {
    API_BASE_URL: api.url,
    TARGET_S3_BUCKET_NAME: options.bucket,
    SECRET_NAME: secretName,
    OUTPUT_FOLDER: options.folder,
    ...options.env?.(api.url),
  });
  const output = captureOutput();
  try {
    const { handler } = await options.handler();
    return {
      api,
      handler,
      output,
      close: async () => {
        output.restore();
        await api.close();
      },
    };
  } catch (error) {
    output.restore();
    await api.close();
    throw error;
  }
}
