/**
 * oauth2RefreshToken (issue 16, item 3) with real parts: OS processes (refreshWorker.ts, each its own
 * Node and core) refreshing at once against a loopback token endpoint that rotates refresh tokens
 * and refuses any reused one with 400 invalid_grant (rotatingTokenEndpoint.ts), their refresh token
 * in Secrets Manager and their lease in DynamoDB, both moto (test/support/globalSetup.ts).
 * Asserted at the endpoint and in the secret: exactly one exchange per expiry, no refused token, the
 * newest refresh token AWSCURRENT; a secret write that fails is a RefreshTokenLostError with no
 * token in any output; a holder that crashes lets the next take over when its lease runs out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startApi, startFaultProxy } from '@tributary/testkit';
import { afterEach, describe, expect, test } from 'vitest';
import { ACCESS_TOKEN_EXPIRES_AT_KEY, ACCESS_TOKEN_KEY } from '../../src/auth/oauth2RefreshToken.ts';
import { defineSource } from '../../src/definition/defineSource.ts';
import { AuthError, TransientError } from '../../src/errors.ts';
import { createReader } from '../../src/http/createReader.ts';
import type { CoordinationStore } from '../../src/run/coordination/CoordinationStore.ts';
import { dynamoCoordinationStore } from '../../src/run/coordination/dynamoCoordinationStore.ts';
import { capture, FAST_RETRY, readAll } from '../http/support.ts';
import { coordinationTable } from '../run/coordination/support.ts';
import { granted, rotatingTokenEndpoint } from './rotatingTokenEndpoint.ts';

const WORKER = fileURLToPath(new URL('./refreshWorker.ts', import.meta.url));
const CLIENT = { client_id: 'app-7f3a', client_secret: 'client-SECRET-9c1e2d' };
const sm = new SecretsManagerClient({});
let n = 0;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** Exit code and everything printed (stdout and stderr). */
  done: Promise<{ code: number | null; output: string; result: { records?: number; error?: string } }>;
}

function worker(env: NodeJS.ProcessEnv): Worker {
  const child = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  let output = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('ready\n')) onReady();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const done = once(child, 'exit').then(([code]) => {
    const last = output.trim().split('\n').at(-1) ?? '';
    let result = {};
    try {
      result = JSON.parse(last);
    } catch {}
    return { code: code as number | null, output, result };
  });
  closers.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, ready: Promise.race([ready, done.then(() => {})]), done };
}

/** Starts `workers` together: each loaded first, then all told to go at once. */
async function runTogether(workers: Worker[]) {
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin!.write('go\n');
  return Promise.all(workers.map((w) => w.done));
}

async function secretWith(values: Record<string, string>): Promise<string> {
  const name = `api-credentials/refresh-test-${process.pid}-${Date.now()}-${n++}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(values) }));
  return name;
}
async function current(secret: string): Promise<{ versionId: string; values: Record<string, string> }> {
  const s = await sm.send(new GetSecretValueCommand({ SecretId: secret, VersionStage: 'AWSCURRENT' }));
  return { versionId: s.VersionId!, values: JSON.parse(s.SecretString!) };
}
async function versionsOf(secret: string): Promise<number> {
  const v = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secret, IncludeDeprecated: true }));
  return v.Versions?.length ?? 0;
}

async function setup(initial = 'rt-0-initial') {
  const endpoint = rotatingTokenEndpoint({
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    refreshToken: initial,
  });
  const api = await startApi(endpoint.routes);
  closers.push(api.close);
  const secret = await secretWith({ ...CLIENT, refresh_token: initial });
  return { endpoint, api, secret };
}

const PROCESSES = 5;

describe('oauth2RefreshToken across processes', () => {
  test(`${PROCESSES} processes refreshing at once: one exchange per expiry, every process served, the newest refresh token AWSCURRENT`, async () => {
    // Prepare
    const { endpoint, api, secret } = await setup();
    const table = await coordinationTable('refresh');
    const env = { API_URL: api.url, SECRET: secret, TABLE: table };

    // Act: the first expiry (no access token yet)
    const first = await runTogether(Array.from({ length: PROCESSES }, () => worker(env)));

    // Assess
    for (const r of first) expect(r.result, r.output).toEqual({ records: 1 });
    expect(granted(endpoint.exchanges)).toHaveLength(1);
    expect(endpoint.exchanges.filter((e) => 'refused' in e.outcome)).toEqual([]);
    const afterFirst = await current(secret);
    expect(afterFirst.values.refresh_token).toBe(endpoint.current());
    expect(afterFirst.values.refresh_token).not.toBe('rt-0-initial');
    expect(afterFirst.values).toMatchObject(CLIENT); // the other keys kept
    expect(afterFirst.values[ACCESS_TOKEN_KEY]).toMatch(/^at-1-/);
    expect(Date.parse(afterFirst.values[ACCESS_TOKEN_EXPIRES_AT_KEY]!)).toBeGreaterThan(Date.now());
    expect(await versionsOf(secret)).toBe(2); // the created one and exactly one write

    // Act: the second expiry (the access tokens run out at the API and in the secret)
    endpoint.expire();
    await sm.send(
      new PutSecretValueCommand({
        SecretId: secret,
        SecretString: JSON.stringify({
          ...afterFirst.values,
          [ACCESS_TOKEN_EXPIRES_AT_KEY]: new Date(Date.now() - 1000).toISOString(),
        }),
      }),
    );
    const second = await runTogether(Array.from({ length: PROCESSES }, () => worker(env)));

    // Assess
    for (const r of second) expect(r.result, r.output).toEqual({ records: 1 });
    expect(granted(endpoint.exchanges)).toHaveLength(2);
    expect(endpoint.exchanges.filter((e) => 'refused' in e.outcome)).toEqual([]);
    const afterSecond = await current(secret);
    expect(afterSecond.values.refresh_token).toBe(endpoint.current());
    expect(afterSecond.values[ACCESS_TOKEN_KEY]).toMatch(/^at-2-/);
    // No token in any process's output
    for (const r of [...first, ...second])
      for (const t of [...endpoint.issued(), CLIENT.client_secret]) expect(r.output).not.toContain(t);
  });

  test('a secret write that fails after the exchange: RefreshTokenLostError, logged by name, no token in the output', async () => {
    // Prepare: Secrets Manager behind a proxy that drops every PutSecretValue
    const { endpoint, api, secret } = await setup();
    const proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL!);
    closers.push(proxy.close);
    proxy.cut((req) => req.headers['x-amz-target'] === 'secretsmanager.PutSecretValue');
    const table = await coordinationTable('refresh-lost');

    // Act
    const [r] = await runTogether([
      worker({
        API_URL: api.url,
        SECRET: secret,
        TABLE: table,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: proxy.endpoint,
      }),
    ]);

    // Assess
    expect(r!.code).toBe(1);
    expect(r!.result.error).toBe('RefreshTokenLostError');
    expect(granted(endpoint.exchanges)).toHaveLength(1);
    const puts = proxy.requests.filter((q) => q.cut);
    expect(puts.length).toBeGreaterThan(1); // retried (same client request token)
    const logged = r!.output.split('\n').filter((l) => l.includes('"level":"warn"'));
    expect(logged.some((l) => l.includes('RefreshTokenLostError') && l.includes(secret))).toBe(true);
    expect(r!.output).toContain('put-secret-value'); // the recovery step
    for (const t of [...endpoint.issued(), CLIENT.client_secret]) expect(r!.output).not.toContain(t);
    expect((await current(secret)).values.refresh_token).toBe('rt-0-initial'); // spent, as the alarm says
  });

  test('a process that crashes holding the lease: the lease runs out and another refreshes, once', async () => {
    // Prepare: the first exchange is held unanswered (and unconsumed) while its process dies
    const { endpoint, api, secret } = await setup();
    const table = await coordinationTable('refresh-crash');
    const env = { API_URL: api.url, SECRET: secret, TABLE: table, LEASE_SECONDS: '2' };
    const hold = endpoint.hold();
    const crashing = worker(env);
    const running = runTogether([crashing]);
    await hold.seen; // it holds the lease and waits on the token endpoint
    crashing.child.kill('SIGKILL');
    await running;
    hold.release();

    // Act
    const [r] = await runTogether([worker(env)]);

    // Assess
    expect(r!.result, r!.output).toEqual({ records: 1 });
    expect(r!.output).toContain('took over the refresh lease');
    expect(granted(endpoint.exchanges)).toHaveLength(1);
    expect((await current(secret)).values.refresh_token).toBe(endpoint.current());
  });

  test('without a coordination table: one process refreshes alone, writes the secret, and says coordination is off', async () => {
    const { endpoint, api, secret } = await setup();
    const [r] = await runTogether([worker({ API_URL: api.url, SECRET: secret, TABLE: '' })]);
    expect(r!.result, r!.output).toEqual({ records: 1 });
    expect(r!.output).toContain('coordination is off');
    expect(granted(endpoint.exchanges)).toHaveLength(1);
    expect((await current(secret)).values.refresh_token).toBe(endpoint.current());
  });
});

describe('oauth2RefreshToken in one process', () => {
  async function reader(secret: string, apiUrl: string, coordination?: CoordinationStore) {
    const c = capture();
    const source = defineSource({
      name: 'refresh-test',
      baseUrl: 'https://api.example.com',
      auth: {
        type: 'oauth2RefreshToken',
        tokenUrl: '/connect/token',
        clientIdKey: 'client_id',
        clientSecretKey: 'client_secret',
        refreshTokenKey: 'refresh_token',
      },
      retry: FAST_RETRY,
      streams: { items: { path: '/items' } },
    });
    return {
      c,
      read: createReader(source, {
        baseUrl: apiUrl,
        secretName: secret,
        logger: c.logger,
        observer: c.observer,
        coordination,
      }),
    };
  }

  test('a refused refresh token (400 invalid_grant) is an AuthError naming the source, the secret and the recovery, not retried', async () => {
    const { endpoint, api } = await setup('rt-0-current');
    const secret = await secretWith({ ...CLIENT, refresh_token: 'rt-0-spent-elsewhere' });
    const { c, read } = await reader(secret, api.url);
    const error = await readAll(read, 'items').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).retryable).toBe(false);
    expect((error as Error).message).toContain('invalid_grant');
    expect((error as Error).message).toContain(secret);
    expect((error as Error).message).toContain('source refresh-test');
    expect((error as Error).message).toContain(`aws secretsmanager put-secret-value --secret-id ${secret}`);
    expect(endpoint.exchanges).toHaveLength(1);
    expect(`${(error as Error).message} ${c.text()}`).not.toContain('rt-0-spent-elsewhere');
  });

  test('invalid_grant because another holder stored a new version meanwhile (a lease outrun): that version is used, no error', async () => {
    // Prepare: when our exchange arrives, another client has just exchanged the same refresh token
    // and stored the new token set in the secret (what a holder slower than its lease meets)
    const { endpoint, api, secret } = await setup();
    endpoint.beforeNext(async () => {
      const other = endpoint.rotate();
      await sm.send(
        new PutSecretValueCommand({
          SecretId: secret,
          SecretString: JSON.stringify({
            ...CLIENT,
            refresh_token: other.refreshToken,
            [ACCESS_TOKEN_KEY]: other.accessToken,
            [ACCESS_TOKEN_EXPIRES_AT_KEY]: new Date(Date.now() + 1_800_000).toISOString(),
          }),
        }),
      );
    });
    const { c, read } = await reader(secret, api.url);
    // Act
    const pages = await readAll(read, 'items');
    // Assess: ours refused (reused), the other's token served the read
    expect(pages).toHaveLength(1);
    expect(endpoint.exchanges.map((e) => ('refused' in e.outcome ? 'refused' : 'granted'))).toEqual([
      'granted',
      'refused',
    ]);
    expect(c.lines.some((l) => l.includes('had moved on to version'))).toBe(true);
    expect((await current(secret)).values.refresh_token).toBe(endpoint.current());
  });

  test('a coordination store that does not answer: a retryable TransientError, and no exchange without the lease', async () => {
    const { endpoint, api, secret } = await setup();
    const down = dynamoCoordinationStore({ table: 'no-such-table', source: 'refresh-test' });
    const { read } = await reader(secret, api.url, down);
    const error = await readAll(read, 'items').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain('refresh lease of refresh-test could not be taken');
    expect(endpoint.exchanges).toEqual([]);
    expect((await current(secret)).values.refresh_token).toBe('rt-0-initial');
  });

  test('neither the refresh token nor the access token appears in a logged line, through a refresh and a 401', async () => {
    const { endpoint, api, secret } = await setup();
    const { c, read } = await reader(secret, api.url);
    expect(await readAll(read, 'items')).toHaveLength(1);
    endpoint.expire(); // the API refuses the access token (401): one more exchange, then served
    expect(await readAll(read, 'items')).toHaveLength(1);
    expect(granted(endpoint.exchanges)).toHaveLength(2);
    expect(c.lines.some((l) => l.includes('refreshed the access token'))).toBe(true);
    const text = c.text();
    for (const t of [...endpoint.issued(), CLIENT.client_secret]) expect(text).not.toContain(t);
  });
});
