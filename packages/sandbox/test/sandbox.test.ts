import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, SandboxOptionsError } from '../src/index.ts';
import { getJson } from './helpers.ts';

describe('sandbox: time, faults, failures', () => {
  const started: Sandbox[] = [];
  const start = async (options: Parameters<typeof createSandbox>[0]) => {
    const s = await createSandbox(options);
    started.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  });

  it('generates the same data from the same seed, other data from another', async () => {
    const now = Date.parse('2026-11-20T06:00:00Z');
    const [a, b, c] = await Promise.all([
      start({ seed: 7, records: 20, now, faults: false }),
      start({ seed: 7, records: 20, now, faults: false }),
      start({ seed: 8, records: 20, now, faults: false }),
    ]);
    for (const source of ['github', 'stripe', 'hotmart', 'socrata'] as const) {
      for (const stream of a.streams(source)) {
        expect(a.records(source, stream)).toEqual(b.records(source, stream));
        expect(a.records(source, stream)).not.toEqual(c.records(source, stream));
      }
    }
  });

  it('advance() updates some records and adds new ones, all newer than anything before', async () => {
    // Prepare
    const s = await start({ records: 100, faults: false, githubRepositories: ['acme/api'] });
    const before = new Map(s.records('github', 'issues').map((i) => [i.id, i]));
    const newest = [...before.values()]
      .map((i) => i.updated_at as string)
      .sort()
      .at(-1)!;
    // Act
    s.advance();
    // Assess
    const after = s.records('github', 'issues');
    const changed = after.filter((i) => before.get(i.id)?.updated_at !== i.updated_at);
    const added = changed.filter((i) => !before.has(i.id));
    expect(added.length).toBeGreaterThan(0);
    expect(changed.length - added.length).toBeGreaterThan(0);
    expect(changed.every((i) => (i.updated_at as string) > newest)).toBe(true);
    const auth = { authorization: `Bearer ${s.credentials.github.token}` };
    const res = await getJson(`${s.url}/repos/acme/api/issues?state=all&per_page=100&since=${newest}`, auth);
    expect((res.body as unknown[]).length).toBe(
      changed.length + after.filter((i) => i.updated_at === newest).length,
    );
    for (const source of ['stripe', 'hotmart', 'socrata'] as const) {
      for (const stream of s.streams(source)) expect(s.records(source, stream).length).toBeGreaterThan(100);
    }
  });

  it('answers some first attempts 429 with Retry-After or 503, and the retry goes through', async () => {
    // Prepare
    const s = await start({
      records: 10,
      faults: { rateLimited: 0.5, unavailable: 0.5, retryAfterSeconds: 1 },
    });
    const auth = { authorization: `Bearer ${s.credentials.stripe.api_key}` };
    // Act
    const first = await getJson(`${s.url}/v1/charges?limit=3`, auth);
    const second = await getJson(`${s.url}/v1/charges?limit=3`, auth);
    // Assess
    expect([429, 503]).toContain(first.status);
    if (first.status === 429) expect(first.headers.get('retry-after')).toBe('1');
    expect(second.status).toBe(200);
    expect(s.served().stripe).toMatchObject({ requests: 2, faults: 1 });
  });

  it('makes a source fail on demand, and heals it', async () => {
    const s = await start({ records: 10, faults: false });
    const auth = { authorization: `Bearer ${s.credentials.stripe.api_key}` };
    s.fail('stripe', 'error');
    expect((await getJson(`${s.url}/v1/charges`, auth)).status).toBe(500);
    s.fail('stripe', 'unauthorized');
    expect((await getJson(`${s.url}/v1/charges`, auth)).status).toBe(401);
    expect((await getJson(`${s.url}/resource/erm2-nwe9.json`)).status).toBe(200);
    s.fail('stripe', undefined);
    expect((await getJson(`${s.url}/v1/charges`, auth)).status).toBe(200);
  });

  it('refuses unknown options, naming them', async () => {
    await expect(createSandbox({ recordz: 1 } as never)).rejects.toThrow(SandboxOptionsError);
    await expect(createSandbox({ recordz: 1 } as never)).rejects.toThrow(/unknown sandbox option "recordz"/);
    await expect(createSandbox({ faults: { rateLimited: 2 } })).rejects.toThrow(/faults.rateLimited/);
  });
});
