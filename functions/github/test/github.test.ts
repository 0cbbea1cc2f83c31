/**
 * The real github definition through the real handler, against a GitHub double on loopback and
 * S3 / Secrets Manager on the moto server.
 */
import type { Handler } from '@tributary/core';
import {
  type CapturedOutput,
  keysContaining,
  type LoopbackApi,
  lambdaContext,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubFaults, githubRoute, makeRepo, type Repo } from '../double/index.ts';

const TOKEN = 'ghp_fixtureToken0123456789abcdefSECRET';
const BUCKET = 'tributary-test-source-github';
const SECRET = 'api-credentials/github-source-test';
const FOLDER = 'github';

const repos: Repo[] = [];
let alpha: Repo;
let beta: Repo;
const faults: GithubFaults = {
  // The second page of alpha's issues (first Link-header request) hits the primary limit…
  primaryLimitOn: new Map([['/repositories/7/issues', 1]]),
  // …and alpha's first commits request a secondary limit.
  secondaryLimitOn: new Map([['/repos/octo-org/alpha/commits', 1]]),
  validationFailedOn: new Set(),
  duringLimit: [],
};

let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let output: CapturedOutput;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { token: TOKEN }],
    folder: FOLDER,
    route: githubRoute(repos, TOKEN, faults),
    onServe: (api) => {
      alpha = makeRepo(api.url, 'octo-org', 'alpha', 7, 120, 130);
      beta = makeRepo(api.url, 'octo-org', 'beta.js', 8, 5, 3);
      repos.push(alpha, beta);
    },
    env: () => ({
      GITHUB_REPOSITORIES: 'octo-org/alpha, octo-org/beta.js',
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler, output } = run);
});

afterAll(() => run?.close());

const issueCount = 125;
const maxUpdated = '2026-11-01T02:00:00Z'; // alpha's issue 120

describe('github source', () => {
  it('lands issues, pull requests, commits and comments of every repository, walking Link pages through both rate limits', async () => {
    // Act
    const result = await handler({ runId: 'gh-run-1' }, lambdaContext());

    // Assess: the result
    expect(result.status).toBe('complete');
    const byStream = Object.fromEntries(result.streams.map((s) => [s.stream, s]));
    expect(byStream.issues!.records).toBe(issueCount);

    // the records as landed, pull requests flagged
    const issues = await readLanded(BUCKET, FOLDER, 'issues', 'gh-run-1');
    expect(issues.records.map((r) => r.id).sort()).toEqual(
      [...alpha.issues, ...beta.issues].map((r) => r.id).sort(),
    );
    for (const r of issues.records) expect(r.is_pull_request).toBe('pull_request' in r);
    expect(issues.records.filter((r) => r.is_pull_request)).toHaveLength(41);
    expect(issues.manifest).toMatchObject({
      records: issueCount,
      primaryKey: ['id'],
      cursorField: 'updated_at',
    });
    expect(Date.parse(String(issues.state?.watermark))).toBe(Date.parse(maxUpdated));
    expect(Date.parse(String(byStream.issues!.watermark))).toBe(Date.parse(maxUpdated));

    const pulls = await readLanded(BUCKET, FOLDER, 'pull_requests', 'gh-run-1');
    expect(pulls.records).toHaveLength(alpha.pulls.length + beta.pulls.length);

    const commits = await readLanded(BUCKET, FOLDER, 'commits', 'gh-run-1');
    expect(commits.records.map((c) => c.sha).sort()).toEqual(
      [...alpha.commits, ...beta.commits].map((c) => c.sha).sort(),
    );
    expect(Date.parse(String(commits.state?.watermark))).toBe(Date.parse('2026-11-02T02:10:00Z'));

    // comments: one request per issue, the parent's key carried into each comment
    const comments = await readLanded(BUCKET, FOLDER, 'issue_comments', 'gh-run-1');
    const served = [...alpha.comments.values(), ...beta.comments.values()].flat();
    expect(comments.records).toHaveLength(served.length);
    for (const c of comments.records) {
      expect(String(c.issue_url)).toMatch(new RegExp(`/issues/${c.issue_number}$`));
      expect(c.issue_id).toBe(
        Number(c.issue_number) + (String(c.issue_url).includes('/alpha/') ? 700_000 : 800_000),
      );
    }
    expect(
      api.requests.filter((r) => /^\/repos\/octo-org\/alpha\/issues\/\d+\/comments$/.test(r.path)),
    ).toHaveLength(alpha.issues.length);

    // Assess: the pages walked — page 1 on /repos/…, page 2 through the Link header, the
    // rate-limited request repeated after the reset
    const issuePages = api.requests.filter((r) =>
      /^\/(repos\/octo-org\/alpha|repositories\/7)\/issues$/.test(r.path),
    );
    expect(issuePages.map((r) => r.query.get('page'))).toEqual([null, '2', '2']);
    // no request of any stream while the primary limit was in force (from its 403 to its reset)
    expect(faults.duringLimit).toEqual([]);
    for (const r of issuePages) {
      expect(r.query.get('per_page')).toBe('100');
      expect(r.query.get('state')).toBe('all');
      expect(r.query.has('since')).toBe(false); // first run: everything
    }
    expect(api.requestsTo('/repos/octo-org/alpha/commits')).toHaveLength(2); // secondary limit waited out
    expect(api.requestsTo('/repositories/7/commits')).toHaveLength(1);

    // the headers GitHub asks for, on every request
    for (const r of api.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(r.headers.accept).toBe('application/vnd.github+json');
      expect(r.headers['x-github-api-version']).toBe('2022-11-28');
    }
    // the token never reaches the logs
    expect(output.text()).not.toContain(TOKEN);
    expect(await keysContaining(BUCKET, TOKEN)).toEqual([]); // nor S3
  });

  it('asks a second run only for what changed since the watermark', async () => {
    // Prepare: issue 5 edited, issue 121 opened
    alpha.issues[4]!.updated_at = '2026-11-03T00:00:00Z';
    alpha.issues.push({ ...alpha.issues[0], id: 700_121, number: 121, updated_at: '2026-11-03T01:00:00Z' });
    alpha.issues.sort((a, b) => Date.parse(String(a.updated_at)) - Date.parse(String(b.updated_at)));
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'gh-run-2', streams: ['issues'] }, lambdaContext());

    // Assess: `since` is the watermark, and only the changed issues landed
    const sent = api.requests.slice(before).filter((r) => r.path.endsWith('/issues'));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const r of sent) expect(Date.parse(r.query.get('since') ?? '')).toBe(Date.parse(maxUpdated));
    const landed = await readLanded(BUCKET, FOLDER, 'issues', 'gh-run-2');
    expect(landed.records.map((r) => r.number).sort()).toEqual([120, 121, 5].sort());
    expect(result.streams[0]!.records).toBe(3);
    expect(Date.parse(String(landed.state?.watermark))).toBe(Date.parse('2026-11-03T01:00:00Z'));
  });

  it('re-reads 30 days of commits, so that a merged branch dated before the watermark lands', async () => {
    // Prepare: a branch merged into alpha whose commit is dated two days before the watermark
    // (`since` filters by committer date, so `since=<watermark>` would never return it).
    const watermark = '2026-11-02T02:10:00Z';
    const merged = {
      ...alpha.commits[0],
      sha: 'b'.repeat(40),
      commit: {
        ...(alpha.commits[0]!.commit as object),
        committer: { name: 'Dev', email: 'dev@example.com', date: '2026-10-31T09:00:00Z' },
        message: 'Work from an old branch',
      },
    };
    alpha.commits.splice(1, 0, merged);
    const before = api.requests.length;

    // Act
    const result = await handler({ runId: 'gh-run-commits-2', streams: ['commits'] }, lambdaContext());

    // Assess: since = watermark − 30 days, on every commits request
    const sent = api.requests.slice(before).filter((r) => r.path.endsWith('/commits'));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const r of sent) {
      expect(Date.parse(r.query.get('since') ?? '')).toBe(Date.parse(watermark) - 30 * 86_400_000);
    }
    // the merged commit landed, with the overlap (every commit is within 30 days): merged on sha
    const landed = await readLanded(BUCKET, FOLDER, 'commits', 'gh-run-commits-2');
    const shas = landed.records.map((c) => c.sha);
    expect(shas).toContain(merged.sha);
    expect(shas.sort()).toEqual([...alpha.commits, ...beta.commits].map((c) => c.sha).sort());
    expect(new Set(shas).size).toBe(shas.length);
    expect(landed.manifest).toMatchObject({ primaryKey: ['sha'], writeDisposition: 'merge' });
    // the watermark stays the newest commit date: the older merged commit does not move it back
    expect(result.streams[0]!.records).toBe(shas.length);
    expect(Date.parse(String(landed.state?.watermark))).toBe(Date.parse(watermark));
  });

  it("fails on GitHub's 422 Validation Failed, naming it, landing nothing and keeping the watermark", async () => {
    // Prepare
    faults.validationFailedOn.add('/repos/octo-org/beta.js/issues');

    // Act
    const run = handler({ runId: 'gh-run-3', streams: ['issues'] }, lambdaContext());

    // Assess
    const error: Error = await rejectionOf(run);
    expect(error.message).toMatch(/422/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(TOKEN);
    const landed = await readLanded(BUCKET, FOLDER, 'issues', 'gh-run-3');
    expect(landed.manifest).toBeUndefined();
    expect(Date.parse(String(landed.state?.watermark))).toBe(Date.parse('2026-11-03T01:00:00Z'));
    expect(output.text()).not.toContain(TOKEN);
  });
});
