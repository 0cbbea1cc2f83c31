/** Lambda contexts and environment for the landing tests. */

/**
 * A context whose deadline arrives after `checks` looks at the clock: deterministic, whatever the
 * machine's speed. The handler looks once when it starts and once after each landed page.
 */
export function budgetContext(checks: number) {
  let calls = 0;
  return {
    calls: () => calls,
    getRemainingTimeInMillis: () => (calls++ < checks ? 15 * 60_000 : 0),
  };
}

/** Sets the handler's environment for a test file. */
export function setHandlerEnv(values: {
  bucket: string;
  outputFolder: string;
  apiBaseUrl: string;
  secretName?: string;
}): void {
  process.env.TARGET_S3_BUCKET_NAME = values.bucket;
  process.env.OUTPUT_FOLDER = values.outputFolder;
  process.env.API_BASE_URL = values.apiBaseUrl;
  if (values.secretName) process.env.SECRET_NAME = values.secretName;
  else delete process.env.SECRET_NAME;
}
