/**
 * The registered sources the sandbox does not speak, run locally against their own doubles: the
 * registered list read from serverless.yml, each double found and served (or the source left out,
 * saying why), its secret provisioned, its environment pointing at it, and the state machine input
 * of a local run derived from what can run. The last test runs every such source of this repository
 * (none until `pnpm new-source` adds one; scripts/test/new-source.test.ts runs it on a generated one).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lambdaContext, listKeys } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCE_NAMES } from '../src/index.ts';
import {
  type LocalStack,
  localPipelineInput,
  mountDoubles,
  registeredSources,
  repoRoot,
  startLocalStack,
} from '../src/local/index.ts';

const SERVERLESS = `service: x
custom:
  # new-source: sources
  sources:
    - github
    - fake-api
    - no-double
    - old-style
  defaults:
    ephemeralStorageSize: 512
`;

/** A double as the generator writes one, without imports (types are erased). */
const FAKE_DOUBLE = `
export const SECRET = { token: 'fake-token-0123' };
export const sandboxDouble = {
  secret: SECRET,
  routes: (records) => (req) =>
    req.headers.authorization === 'Bearer ' + SECRET.token
      ? { body: { data: Array.from({ length: records }, (_, i) => ({ id: i })) } }
      : { status: 401, body: { error: 'unauthorized' } },
  env: (url) => ({ FAKE_API_REGION: 'eu' }),
};
`;

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'sandbox-doubles-'));
  writeFileSync(join(root, 'serverless.yml'), SERVERLESS);
  for (const [source, text] of [
    ['fake-api', FAKE_DOUBLE],
    ['old-style', 'export const route = () => undefined;\n'],
  ] as const) {
    mkdirSync(join(root, 'functions', source, 'double'), { recursive: true });
    writeFileSync(join(root, 'functions', source, 'double/index.ts'), text);
  }
  mkdirSync(join(root, 'functions/no-double/src'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('source doubles', () => {
  it('reads the registered sources from serverless.yml, and refuses a file without the list', () => {
    expect(registeredSources(root)).toEqual(['github', 'fake-api', 'no-double', 'old-style']);
    expect(registeredSources()).toEqual(expect.arrayContaining(['github', 'stripe', 'hotmart', 'socrata']));
    const bare = mkdtempSync(join(tmpdir(), 'sandbox-doubles-bare-'));
    try {
      writeFileSync(join(bare, 'serverless.yml'), 'service: x\ncustom:\n  sources:\n    - a\n');
      expect(() => registeredSources(bare)).toThrow(
        'no "sources:" list after "# new-source: sources"; register sources as its header describes',
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it("serves each double on loopback and leaves out, saying why, a source without one; the sandbox's own are not doubles", async () => {
    // Act
    const doubles = await mountDoubles(registeredSources(root), { records: 3, root });
    try {
      // Assess
      expect(doubles.mounted).toEqual([
        {
          source: 'fake-api',
          url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
          module: 'functions/fake-api/double/index.ts',
          records: 3,
          secret: { token: 'fake-token-0123' },
          env: { API_BASE_URL: doubles.mounted[0]?.url, FAKE_API_REGION: 'eu' },
        },
      ]);
      const url = doubles.mounted[0]!.url;
      const ok = await fetch(`${url}/v1/items`, { headers: { authorization: 'Bearer fake-token-0123' } });
      expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(3);
      expect((await fetch(`${url}/v1/items`)).status).toBe(401);
      expect(doubles.leftOut).toEqual([
        { source: 'no-double', reason: 'no API double: functions/no-double/double/index.ts does not exist' },
        {
          source: 'old-style',
          reason:
            'no API double: functions/old-style/double/index.ts exports no sandboxDouble (a SourceDouble, see @tributary/testkit)',
        },
      ]);
    } finally {
      await doubles.stop();
    }
  });

  it('derives the local run: every registered source when all can run, else those that can, by name', () => {
    const registered = ['github', 'stripe', 'casenotes-data', 'open-permits'];
    expect(localPipelineInput(registered, [])).toEqual({});
    expect(localPipelineInput(registered, [{ source: 'open-permits', reason: 'no API double' }])).toEqual({
      sources: ['github', 'stripe', 'casenotes-data'],
    });
    expect(() => localPipelineInput(['x'], [{ source: 'x', reason: 'no API double' }])).toThrow(
      'no registered source can run locally: x (no API double)',
    );
  });
});

describe('source doubles in the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      root,
      doubleRecords: 4,
      sandbox: { records: 5, faults: false },
      rawBucket: 'doubles-raw',
      curatedBucket: 'doubles-curated',
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it("provisions each double's secret and points its source at it", async () => {
    expect(stack.registered).toEqual(['github', 'fake-api', 'no-double', 'old-style']);
    expect(stack.doubles.map((d) => d.source)).toEqual(['fake-api']);
    expect(stack.leftOut.map((l) => l.source)).toEqual(['no-double', 'old-style']);
    const secrets = new SecretsManagerClient({});
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: 'api-credentials/fake-api' }));
    secrets.destroy();
    expect(JSON.parse(secret.SecretString ?? '{}')).toEqual({ token: 'fake-token-0123' });
    expect(stack.sourceEnv('fake-api')).toMatchObject({
      API_BASE_URL: stack.doubles[0]!.url,
      FAKE_API_REGION: 'eu',
      TARGET_S3_BUCKET_NAME: 'doubles-raw',
    });
    expect(stack.sourceEnv('github').API_BASE_URL).toBe(stack.sandbox.url);
  });
});

describe("this repository's registered sources outside the sandbox", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      doubleRecords: 30,
      sandbox: { records: 5, faults: false },
      rawBucket: 'doubles-repo-raw',
      curatedBucket: 'doubles-repo-curated',
    });
  }, 60_000);
  afterAll(() => stack?.stop());

  it('each have a double, and land its records through the real handler against it', async () => {
    expect(stack.leftOut).toEqual([]);
    const outside = stack.registered.filter((s) => !(SOURCE_NAMES as readonly string[]).includes(s));
    expect(stack.doubles.map((d) => d.source)).toEqual(outside);
    for (const double of stack.doubles) {
      // The double the generator wrote beside the source
      expect(double.module).toBe(`functions/${double.source}/double/index.ts`);
      // Prepare: the function's environment as its function.yml gives it, plus the local endpoints.
      const env = {
        ...(double.secret ? { SECRET_NAME: `api-credentials/${double.source}` } : {}),
        OUTPUT_FOLDER: double.source,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        ...stack.sourceEnv(double.source),
      };
      Object.assign(process.env, env);
      const handlerFile = join(repoRoot, 'functions', double.source, 'src/handler.ts');
      const { handler } = (await import(pathToFileURL(handlerFile).href)) as {
        handler: (
          event: unknown,
          context: unknown,
        ) => Promise<{ status: string; streams: { records: number }[] }>;
      };
      // Act
      const result = await handler({ runId: `doubles-${double.source}` }, lambdaContext());
      // Assess
      expect(result.status, double.source).toBe('complete');
      expect(
        result.streams.reduce((n, s) => n + s.records, 0),
        double.source,
      ).toBe(double.records * result.streams.length);
      expect((await listKeys('doubles-repo-raw', `${double.source}/`)).length).toBeGreaterThan(0);
    }
  }, 120_000);
});
