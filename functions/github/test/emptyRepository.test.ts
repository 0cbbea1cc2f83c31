/**
 * An empty repository among several: GitHub answers its commits with `409 {"message": "Git
 * Repository is empty."}` (docs.github.com, "List commits": 409 Conflict). The definition's `empty`
 * rule makes that one partition land 0 commits and end normally; the other repositories go on, and
 * the stream completes with a manifest and its watermark.
 */
import type { Handler } from '@tributary/core';
import {
  type LoopbackApi,
  lambdaContext,
  readLanded,
  type SourceTest,
  startSourceTest,
} from '@tributary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GithubFaults, githubRoute, makeRepo, type Repo } from '../double/index.ts';

const TOKEN = 'ghp_fixtureToken0123456789abcdefEMPTY';
const BUCKET = 'tributary-test-source-github-empty';
const SECRET = 'api-credentials/github-empty-test';
const FOLDER = 'github-empty';

const repos: Repo[] = [];
const faults: GithubFaults = {
  primaryLimitOn: new Map(),
  secondaryLimitOn: new Map(),
  validationFailedOn: new Set(),
  duringLimit: [],
};
let api: LoopbackApi;
let run: SourceTest<Handler> | undefined;
let handler: Handler;
let alpha: Repo;
let beta: Repo;

beforeAll(async () => {
  run = await startSourceTest({
    bucket: BUCKET,
    secret: [SECRET, { token: TOKEN }],
    folder: FOLDER,
    route: githubRoute(repos, TOKEN, faults),
    onServe: (api) => {
      alpha = makeRepo(api.url, 'octo-org', 'alpha', 7, 4, 130);
      const hollow = { ...makeRepo(api.url, 'octo-org', 'hollow', 9, 2, 0), empty: true };
      beta = makeRepo(api.url, 'octo-org', 'beta.js', 8, 3, 3);
      repos.push(alpha, hollow, beta);
    },
    env: () => ({
      GITHUB_REPOSITORIES: 'octo-org/alpha,octo-org/hollow,octo-org/beta.js',
    }),
    handler: () => import('../src/handler.ts'),
  });
  ({ api, handler } = run);
});

afterAll(() => run?.close());

describe('an empty repository', () => {
  it('lands 0 commits for it and every commit of the others; the stream completes with its watermark', async () => {
    // Act
    const result = await handler({ runId: 'gh-empty-1', streams: ['commits'] }, lambdaContext());

    // Assess: the empty repository was asked once and answered 409; the others were read in full
    expect(api.requestsTo('/repos/octo-org/hollow/commits')).toHaveLength(1);
    expect(result.status).toBe('complete');
    const landed = await readLanded(BUCKET, FOLDER, 'commits', 'gh-empty-1');
    const expected = [...alpha.commits, ...beta.commits].map((c) => c.sha);
    expect(landed.records.map((c) => c.sha).sort()).toEqual(expected.sort());
    expect(landed.manifest).toMatchObject({ records: 133 });
    const dates = [...alpha.commits, ...beta.commits].map((c) =>
      Date.parse((c.commit as { committer: { date: string } }).committer.date),
    );
    expect(Date.parse(String(landed.state?.watermark))).toBe(Math.max(...dates));
    expect(result.streams[0]).toMatchObject({ stream: 'commits', records: 133, status: 'complete' });
  });
});
