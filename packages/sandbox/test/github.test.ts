import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/index.ts';
import { getJson, nextLink } from './helpers.ts';

describe('sandbox: GitHub', () => {
  let sandbox: Sandbox;
  let auth: Record<string, string>;

  beforeAll(async () => {
    sandbox = await createSandbox({
      records: 250,
      faults: false,
      githubRepositories: ['acme/api', 'acme/web'],
    });
    auth = { authorization: `Bearer ${sandbox.credentials.github.token}` };
  });
  afterAll(() => sandbox.stop());

  it('refuses a request without the token, as GitHub does', async () => {
    const res = await getJson(`${sandbox.url}/repos/acme/api/issues`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ message: 'Bad credentials' });
  });

  it("continues Link pages on /repositories/<id>, as GitHub does, from the source's own double (functions/github/double)", async () => {
    const res = await getJson(`${sandbox.url}/repos/acme/api/issues?state=all&per_page=100`, auth);
    const next = nextLink(res.headers.get('link'));
    expect(next).toMatch(/\/repositories\/\d+\/issues\?/);
    expect(res.headers.get('x-github-request-id')).toMatch(/\S/);
    const second = await getJson(next!, auth);
    expect(second.status).toBe(200);
    expect((second.body as unknown[]).length).toBe(100);
    sandbox.resetServed(); // the next test counts what it is served
  });

  it('walks issues (pull requests included) through Link pages, with rate-limit headers', async () => {
    // Prepare
    let url: string | undefined =
      `${sandbox.url}/repos/acme/api/issues?state=all&per_page=100&sort=updated&direction=asc`;
    const seen: Array<Record<string, unknown>> = [];
    let pages = 0;
    // Act
    while (url) {
      const res = await getJson(url, auth);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
      expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
      seen.push(...(res.body as Array<Record<string, unknown>>));
      url = nextLink(res.headers.get('link'));
      pages++;
    }
    // Assess
    expect(pages).toBe(3);
    expect(seen).toHaveLength(250);
    expect(new Set(seen.map((i) => i.number)).size).toBe(250);
    const updated = seen.map((i) => i.updated_at as string);
    expect([...updated].sort()).toEqual(updated);
    const prs = seen.filter((i) => i.pull_request);
    expect(prs.length).toBeGreaterThan(30);
    expect(seen[0]).toMatchObject({
      user: { login: expect.any(String) },
      reactions: { '+1': expect.any(Number) },
    });
    expect(sandbox.served().github?.streams.issues).toEqual({ unique: 250, records: 250, pages: 3 });
  });

  it('serves only open issues by default, and filters on since', async () => {
    const open = await getJson(`${sandbox.url}/repos/acme/web/issues?per_page=100`, auth);
    expect((open.body as Array<{ state: string }>).every((i) => i.state === 'open')).toBe(true);
    const all = sandbox.records('github', 'issues').filter((i) => String(i.url).includes('acme/web'));
    const cut = all.map((i) => i.updated_at as string).sort()[200] as string;
    const res = await getJson(
      `${sandbox.url}/repos/acme/web/issues?state=all&per_page=100&since=${cut}`,
      auth,
    );
    const expected = all.filter((i) => (i.updated_at as string) >= cut).length;
    expect((res.body as unknown[]).length).toBe(expected);
  });

  it('serves pulls, commits with since/until, and comments per issue', async () => {
    const pulls = await getJson(`${sandbox.url}/repos/acme/api/pulls?state=all&per_page=100`, auth);
    expect((pulls.body as Array<{ head: { ref: string } }>)[0]?.head.ref).toMatch(/^feature\//);
    const commits = sandbox.records('github', 'commits').filter((c) => String(c.url).includes('acme/api'));
    const dates = commits.map((c) => (c.commit as { committer: { date: string } }).committer.date).sort();
    const res = await getJson(
      `${sandbox.url}/repos/acme/api/commits?per_page=100&since=${dates[10]}&until=${dates[20]}`,
      auth,
    );
    expect((res.body as unknown[]).length).toBe(
      dates.filter((d) => d >= dates[10]! && d <= dates[20]!).length,
    );
    const issue = sandbox.records('github', 'issues').find((i) => (i.comments as number) > 0)!;
    const repo = String(issue.repository_url).split('/repos/')[1];
    const comments = await getJson(`${sandbox.url}/repos/${repo}/issues/${issue.number}/comments`, auth);
    expect((comments.body as unknown[]).length).toBe(issue.comments);
  });

  it('serves contributor statistics as one array computed from the commits, and a new contributor after advance', async () => {
    const res = await getJson(`${sandbox.url}/repos/acme/api/stats/contributors`, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('link')).toBeNull();
    const stats = res.body as Array<{
      author: { id: number };
      total: number;
      weeks: Array<Record<string, number>>;
    }>;
    const commits = sandbox.records('github', 'commits').filter((c) => String(c.url).includes('acme/api'));
    expect(stats.reduce((n, s) => n + s.total, 0)).toBe(commits.length);
    expect(new Set(stats.map((s) => s.author.id)).size).toBe(stats.length);
    for (const s of stats) {
      expect(s.weeks.reduce((n, w) => n + w.c!, 0)).toBe(s.total);
      for (const w of s.weeks) expect(new Date(w.w! * 1000).getUTCDay()).toBe(0); // weeks start on Sunday
    }
    const listed = sandbox.records('github', 'contributor_stats');
    expect(listed.filter((s) => s.repository === 'acme/api')).toHaveLength(stats.length);
    expect(sandbox.served().github?.streams.contributor_stats?.unique).toBe(stats.length);
    sandbox.advance();
    const after = await getJson(`${sandbox.url}/repos/acme/api/stats/contributors`, auth);
    expect((after.body as unknown[]).length).toBe(stats.length + 1);
  });

  it('answers an unknown repository with 404 and a malformed since with 422', async () => {
    expect((await getJson(`${sandbox.url}/repos/acme/nope/issues`, auth)).status).toBe(404);
    const bad = await getJson(`${sandbox.url}/repos/acme/api/issues?since=yesterday`, auth);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ message: 'Validation Failed', errors: [{ field: 'since' }] });
  });
});
