/**
 * Contributor statistics (docs.github.com, "Repository statistics"): while GitHub is still computing
 * them it answers `202 Accepted` with `{}` — "Give the job a few moments to complete, and then submit
 * the request again". A 2xx that is not data: the default `notReady` rule asks again with backoff;
 * taken as data, `{}` would land nothing for the repository and the run would say `complete`.
 */
import { createHandler, type Handler, TransientError } from '@tributary/core';
import {
  type LoopbackApi,
  lambdaContext,
  listKeys,
  readLanded,
  rejectionOf,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubFaults, githubRoute, makeRepo, type Repo } from '../double/index.ts';

const TOKEN = 'ghp_fixtureToken0123456789abcdefSTATS';
const BUCKET = 'tributary-test-source-github-stats';
const SECRET = 'api-credentials/github-stats-test';
const FOLDER = 'github-stats';

const repos: Repo[] = [];
const faults: GithubFaults = {
  primaryLimitOn: new Map(),
  secondaryLimitOn: new Map(),
  validationFailedOn: new Set(),
  statsNotReady: new Map(),
  duringLimit: [],
};
let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let source: Parameters<typeof createHandler>[0];
let alpha: Repo;
let beta: Repo;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { token: TOKEN }],
    folder: FOLDER,
    route: githubRoute(repos, TOKEN, faults),
    onServe: (api) => {
      alpha = makeRepo(api.url, 'octo-org', 'alpha', 7, 2, 40);
      beta = makeRepo(api.url, 'octo-org', 'beta.js', 8, 2, 2);
      repos.push(alpha, beta);
    },
    env: () => ({
      GITHUB_REPOSITORIES: 'octo-org/alpha,octo-org/beta.js',
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler } = run);
  ({ source } = await import('../src/source.ts'));
});

afterAll(() => run?.close());

const STATS = (repo: Repo) => `/repos/${repo.owner}/${repo.name}/stats/contributors`;

describe('contributor statistics', () => {
  it('asks again while GitHub answers 202 (still computing): every contributor of every repository lands once', async () => {
    // Prepare: alpha's statistics are not ready for the first two requests
    faults.statsNotReady!.set('octo-org/alpha', 2);

    // Act
    const result = await handler({ runId: 'gh-stats-1', streams: ['contributor_stats'] }, lambdaContext());

    // Assess: alpha asked three times, beta once; one record per repository and contributor
    expect(api.requestsTo(STATS(alpha))).toHaveLength(3);
    expect(api.requestsTo(STATS(beta))).toHaveLength(1);
    expect(result.status).toBe('complete');
    const landed = await readLanded(BUCKET, FOLDER, 'contributor_stats', 'gh-stats-1');
    const expected = [
      ...alpha.contributors.map((c) => ({ ...c, repository: 'octo-org/alpha' })),
      ...beta.contributors.map((c) => ({ ...c, repository: 'octo-org/beta.js' })),
    ];
    expect(alpha.contributors).toHaveLength(3);
    expect(beta.contributors).toHaveLength(2);
    const byKey = (r: Record<string, unknown>) => `${r.repository}#${(r.author as { id: number }).id}`;
    expect(landed.records.map(byKey).sort()).toEqual(expected.map(byKey).sort());
    expect(new Set(landed.records.map(byKey)).size).toBe(landed.records.length);
    expect(landed.records.find((r) => byKey(r) === 'octo-org/alpha#2')).toEqual(
      expected.find((r) => byKey(r) === 'octo-org/alpha#2'),
    );
    expect(landed.manifest).toMatchObject({
      records: 5,
      primaryKey: ['repository', 'author.id'],
      writeDisposition: 'merge',
    });
    expect(result.streams[0]).toMatchObject({ stream: 'contributor_stats', records: 5, status: 'complete' });
  });

  it('fails with a TransientError when the statistics never become ready, committing nothing', async () => {
    // Prepare: beta's statistics stay "being computed"; a short retry policy
    faults.statsNotReady!.set('octo-org/beta.js', Number.POSITIVE_INFINITY);
    const impatient = createHandler({
      ...source,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxTotalWaitMs: 1_000 },
    });
    const before = api.requestsTo(STATS(beta)).length;

    // Act
    const error = await rejectionOf(
      impatient({ runId: 'gh-stats-never', streams: ['contributor_stats'] }, lambdaContext()),
    );

    // Assess: asked 3 times, then a TransientError naming the stream; no part, no manifest
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain('HTTP 202 (not ready');
    expect(error.message).toContain('stream contributor_stats');
    expect(api.requestsTo(STATS(beta)).length - before).toBe(3);
    expect(await listKeys(BUCKET, `${FOLDER}/contributor_stats/`)).not.toContainEqual(
      expect.stringContaining('run_id=gh-stats-never/'),
    );
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(TOKEN);
  });
});
