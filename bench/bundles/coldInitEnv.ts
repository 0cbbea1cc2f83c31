/**
 * The environment a cold init runs with: Lambda's (region, function name), the handler contract's
 * (bucket, folder, secret), and example values for what sources read when their module loads
 * (serverless.yml's own values win when it gives plain strings).
 */

/** Module-load configuration of the sources, with example values (the bench never calls their APIs). */
export const SOURCE_EXAMPLE_ENV: Record<string, string> = {
  GITHUB_REPOSITORIES: 'octocat/hello-world,octocat/spoon-knife',
  SOCRATA_DOMAIN: 'data.cityofnewyork.us',
  SOCRATA_DATASETS: 'permits=ipu4-2q9a,complaints=erm2-nwe9',
};

export function coldInitEnv(
  fn: { name: string; environment?: Record<string, unknown> },
  motoEndpoint: string,
): NodeJS.ProcessEnv {
  const fromService = Object.fromEntries(
    Object.entries(fn.environment ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: motoEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    TARGET_S3_BUCKET_NAME: 'tributary-bench-coldinit',
    OUTPUT_FOLDER: `bench/${fn.name}`,
    SECRET_NAME: `api-credentials/${fn.name}`,
    ...SOURCE_EXAMPLE_ENV,
    ...fromService,
  };
}
