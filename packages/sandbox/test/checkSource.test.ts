/**
 * `pnpm check` (checkSource) against the sandbox's loopback APIs with the secrets in moto: a good
 * source prints every section and exits 0; a broken records path, a primary key or cursor field no
 * record has, and refused credentials exit 1 with the typed error's message; the secret's values
 * never reach the output; nothing is written to S3 (no S3 client is even constructed).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SourceDefinition } from '@tributary/core';
import { createBucket, createSecret, listKeys } from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSandbox, type Sandbox } from '../src/index.ts';
import { checkSource, loadDefinition } from '../src/local/index.ts';

const s3 = vi.hoisted(() => ({ constructed: 0 }));
vi.mock('@aws-sdk/client-s3', async (importOriginal) => {
  const real = await importOriginal<typeof import('@aws-sdk/client-s3')>();
  class S3Client extends real.S3Client {
    constructor(...args: ConstructorParameters<typeof real.S3Client>) {
      super(...args);
      s3.constructed++;
    }
  }
  return { ...real, S3Client };
});

const BUCKET = 'tributary-check-test-raw';
let sandbox: Sandbox;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await createSandbox({ seed: 7, records: 150, faults: false });
  await createBucket(BUCKET);
  for (const source of ['github', 'stripe', 'hotmart'] as const)
    await createSecret(`api-credentials/${source}-check-test`, sandbox.credentials[source]);
  process.env.GITHUB_REPOSITORIES = 'tributary-demo/api, tributary-demo/web';
  env = {
    GITHUB_API_BASE_URL: sandbox.url,
    STRIPE_API_BASE_URL: sandbox.url,
    HOTMART_API_BASE_URL: sandbox.url,
    HOTMART_AUTH_TOKEN_URL: `${sandbox.url}/security/oauth/token`,
    TARGET_S3_BUCKET_NAME: BUCKET,
  };
});

afterAll(async () => {
  await sandbox?.stop();
});

const withSecret = (source: string) => ({ ...env, SECRET_NAME: `api-credentials/${source}-check-test` });

/** No form of a secret value in the text: as is, percent-encoded, base64 (alone and as Basic). */
function expectNoSecret(text: string, values: string[]) {
  for (const value of values) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(encodeURIComponent(value));
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
  }
}

describe('pnpm check', () => {
  it('reads the first page of every stream of a good source, prints each section and exits 0, writing nothing', async () => {
    // The spy sees S3 clients: createBucket in beforeAll made one.
    expect(s3.constructed).toBeGreaterThan(0);
    const before = s3.constructed;
    const result = await checkSource({ source: 'github', env: withSecret('github') });
    const { output } = result;
    expect(result.exitCode, output).toBe(0);
    expect(result.streams.map((s) => [s.stream, s.verdict])).toEqual([
      ['issues', 'ok'],
      ['pull_requests', 'ok'],
      ['commits', 'ok'],
      ['contributor_stats', 'ok'],
      ['issue_comments', 'ok'],
    ]);
    const issues = output.slice(output.indexOf('== issues'), output.indexOf('== pull_requests'));
    // The request as sent, after auth: the token masked, the other headers shown.
    expect(issues).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/repos\/tributary-demo\/api\/issues\?/);
    expect(issues).toContain('authorization: Bearer ***');
    expect(issues).toMatch(/user-agent: tributary\//);
    expect(issues).toContain('status: 200');
    expect(issues).toMatch(/records path: the body itself found: \d+ records/);
    expect(issues).toMatch(/primary key \[id\]: on (\d+) of \1 records/);
    expect(issues).toMatch(/cursor field updated_at: on (\d+) of \1 records/);
    expect(issues).toMatch(/next: paginator link state .* → GET http:\/\/127\.0\.0\.1:\d+\//);
    expect(issues).toContain('sample record (the first; secret-looking values masked):');
    expect(issues).toContain('"number":');
    expect(issues).toContain('x-github-api-version: 2022-11-28');
    expect(issues).toContain('a preview from this page');
    expect(issues).toMatch(/raw table raw_github_issues: .*\bid bigint\b/);
    expect(issues).toMatch(/curated table github_issues: .*\buser__login string\b/);
    // The child stream walks the first parent key: an issue's own comments URL.
    const comments = output.slice(output.indexOf('== issue_comments'));
    expect(comments).toContain('(child of issues)');
    expect(comments).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/repos\/tributary-demo\/api\/issues\/\d+\/comments/,
    );
    expect(output).toContain('OK: 5 streams read their first page');
    expectNoSecret(output, Object.values(sandbox.credentials.github));
    // Nothing written: no S3 client constructed, the raw bucket still empty.
    expect(s3.constructed - before).toBe(0);
    expect(await listKeys(BUCKET, '')).toEqual([]);
  });

  it('masks OAuth2 client credentials and the access token (token request included)', async () => {
    const result = await checkSource({
      source: 'hotmart',
      env: withSecret('hotmart'),
      stream: 'subscriptions',
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/security\/oauth\/token/);
    expect(result.output).toContain('authorization: Basic ***');
    expect(result.output).toContain('authorization: Bearer ***');
    expect(result.output).not.toMatch(/Bearer (?!\*\*\*)/);
    expectNoSecret(result.output, Object.values(sandbox.credentials.hotmart));
  });

  it('names a broken records path with the keys the body has and a did-you-mean, and exits 1', async () => {
    const stripe = await loadDefinition('stripe');
    const definition: SourceDefinition = {
      ...stripe,
      streams: { charges: { ...stripe.streams.charges!, records: 'datas' } },
    };
    const result = await checkSource({ source: 'stripe', definition, env: withSecret('stripe') });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toContain('records path: "datas" NOT FOUND');
    expect(result.output).toMatch(/the body's top-level keys: .*\bdata\b.*has_more|has_more.*\bdata\b/);
    expect(result.output).toContain("did you mean records: 'data'?");
    expect(result.output).toContain('FAILED: MalformedResponseError: no records at "datas"');
    expect(result.streams[0]!.error?.name).toBe('MalformedResponseError');
    expectNoSecret(result.output, Object.values(sandbox.credentials.stripe));
  });

  it('exits 1 when no record carries the primary key or the cursor field', async () => {
    const github = await loadDefinition('github');
    const issues = github.streams.issues!;
    const definition: SourceDefinition = {
      ...github,
      streams: {
        issues: {
          ...issues,
          primaryKey: 'uuid',
          incremental: { ...issues.incremental!, cursorField: 'modified_at' },
        },
      },
    };
    const result = await checkSource({ source: 'github', definition, env: withSecret('github') });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toMatch(/primary key \[uuid\]: on 0 of \d+ records/);
    expect(result.output).toMatch(/cursor field modified_at: on 0 of \d+ records/);
    expect(result.output).toContain(
      'FAILED: CheckFailedError: github/issues: primary key [uuid] is absent from every record of the first page; cursor field "modified_at" is absent from every record of the first page',
    );
  });

  it('exits 1 on a path the API does not have (404) with the HttpError message', async () => {
    const stripe = await loadDefinition('stripe');
    const charges = stripe.streams.charges!;
    const definition: SourceDefinition = {
      ...stripe,
      streams: { charges: { ...charges, path: '/v1/chargez' } },
    };
    const result = await checkSource({ source: 'stripe', definition, env: withSecret('stripe') });
    expect(result.exitCode, result.output).toBe(1);
    expect(result.output).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/v1\/chargez/);
    expect(result.output).toContain('status: 404');
    expect(result.output).toMatch(/FAILED: HttpError: HTTP 404 \(not retried\)/);
  });

  it('exits 1 on refused credentials (401) with the AuthError message, the key masked', async () => {
    sandbox.fail('stripe', 'unauthorized');
    try {
      const result = await checkSource({ source: 'stripe', stream: 'charges', env: withSecret('stripe') });
      expect(result.exitCode, result.output).toBe(1);
      expect(result.output).toContain('status: 401');
      expect(result.output).toMatch(/FAILED: AuthError: HTTP 401: credentials refused/);
      expectNoSecret(result.output, Object.values(sandbox.credentials.stripe));
    } finally {
      sandbox.fail('stripe', undefined);
    }
  });

  it("a child stream alone reads its parent first, and fails with the parent's error", async () => {
    const good = await checkSource({ source: 'github', stream: 'issue_comments', env: withSecret('github') });
    expect(good.exitCode, good.output).toBe(0);
    expect(good.output).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/repos\/tributary-demo\/api\/issues\?/);
    expect(good.output).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/repos\/tributary-demo\/api\/issues\/\d+\/comments/,
    );
    sandbox.fail('github', 'unauthorized');
    try {
      const result = await checkSource({
        source: 'github',
        stream: 'issue_comments',
        env: withSecret('github'),
      });
      expect(result.exitCode, result.output).toBe(1);
      expect(result.output).toContain('not read: the parent stream issues could not be read');
      expect(result.output).toMatch(/FAILED: AuthError: HTTP 401/);
    } finally {
      sandbox.fail('github', undefined);
    }
  });

  it('pnpm check (scripts/check.ts) prints the report and exits with its status: 0, then 1 on a 401', async () => {
    const root = join(import.meta.dirname, '../../..');
    const run = (args: string[]) =>
      promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['scripts/check.ts', ...args], {
        cwd: root,
        env: { ...process.env, ...withSecret('github'), GITHUB_REPOSITORIES: 'tributary-demo/api' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const good = await run(['github', '--stream', 'issues']);
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toContain('OK: 1 stream read their first page');
    sandbox.fail('github', 'unauthorized');
    try {
      const refused = await run(['github', '--stream', 'issues']);
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stdout).toContain('MISCONFIGURED: issues (AuthError)');
      expectNoSecret(good.stdout + refused.stdout, Object.values(sandbox.credentials.github));
    } finally {
      sandbox.fail('github', undefined);
    }
  });
});
