/**
 * GitHub REST API (https://docs.github.com/en/rest): issues, pull requests, commits, contributor
 * statistics and issue comments of the repositories listed in `GITHUB_REPOSITORIES` (`owner/repo,owner/repo`).
 * GitHub Enterprise Server: set `API_BASE_URL` to `https://<host>/api/v3`.
 */
import { defineSource, envList } from '@tributary/core';

/** Read once, when the module loads: each repository is a static partition of every repo-level stream. */
const repositories = envList('GITHUB_REPOSITORIES', {
  pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
  example: 'owner/repo',
}).map((entry) => {
  const [owner, repo] = entry.split('/') as [string, string];
  return { owner, repo };
});

/**
 * How far before the watermark a commits run reads again: branches merged within 30 days of their
 * last commit land. Older branches need a backfill window (README, "Commits merged from old branches").
 */
const COMMITS_LOOKBACK_SECONDS = 30 * 24 * 3600;

/** Link-header pages of 100, the most GitHub serves. */
const pages = { paginator: { type: 'link' }, params: { per_page: 100 } } as const;

export const source = defineSource({
  name: 'github',
  baseUrl: 'https://api.github.com',
  auth: { type: 'bearer', secretKey: 'token' },
  headers: {
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
  },
  // Primary limit: 5,000 requests/hour per token. Secondary limits: at most 100 concurrent requests
  // and 900 points/minute per endpoint; GitHub asks integrators to send requests serially.
  rateLimit: { concurrency: 1 },
  responseRules: [
    // Primary limit exhausted: 403 or 429 with x-ratelimit-remaining 0, wait until x-ratelimit-reset.
    { status: [403, 429], headers: { 'x-ratelimit-remaining': '0' }, action: 'rateLimited' },
    // Secondary limit: 403 or 429 with retry-after (or the documented message), wait it out.
    { status: [403, 429], bodyContains: 'secondary rate limit', action: 'rateLimited' },
    { status: 429, action: 'rateLimited' },
  ],
  streams: {
    issues: {
      path: '/repos/{owner}/{repo}/issues',
      ...pages,
      params: { ...pages.params, state: 'all', sort: 'updated', direction: 'asc' },
      partitions: repositories,
      primaryKey: 'id',
      incremental: { cursorField: 'updated_at', params: { since: '{since}' } },
      // The issues endpoint also returns pull requests; they carry a `pull_request` object.
      transform: (issue) => ({ ...issue, is_pull_request: issue.pull_request != null }),
    },
    pull_requests: {
      // No `since` on this endpoint: read in full and merged on `id`.
      path: '/repos/{owner}/{repo}/pulls',
      ...pages,
      params: { ...pages.params, state: 'all', sort: 'updated', direction: 'asc' },
      partitions: repositories,
      primaryKey: 'id',
    },
    commits: {
      path: '/repos/{owner}/{repo}/commits',
      ...pages,
      partitions: repositories,
      primaryKey: 'sha',
      // An empty repository (no commits yet) answers `409 {"message": "Git Repository is empty."}`:
      // that repository has no commits, the others go on.
      responseRules: [{ status: 409, bodyContains: 'Git Repository is empty', action: 'empty' }],
      incremental: {
        cursorField: 'commit.committer.date',
        params: { since: '{since}', until: '{until}' },
        // `since` filters by committer date, which is not the order commits reach the branch: a
        // merged branch brings commits dated before the watermark. Re-read 30 days; merged on `sha`.
        lookbackSeconds: COMMITS_LOOKBACK_SECONDS,
      },
    },
    contributor_stats: {
      // Repository statistics: the last year of weekly commits, additions and deletions per
      // contributor (the top 100). While GitHub is still computing them it answers `202 Accepted`
      // with `{}` and compiles them in the background: the default `notReady` rule asks again with
      // backoff, then fails the run with a TransientError rather than land nothing as `complete`.
      // One array, no pagination; read in full every run and merged on repository + contributor.
      path: '/repos/{owner}/{repo}/stats/contributors',
      paginator: { type: 'single' },
      partitions: repositories,
      // The records name the contributor, not the repository.
      partitionFields: { repository: '{owner}/{repo}' },
      primaryKey: ['repository', 'author.id'],
    },
    issue_comments: {
      // The issue's own comments URL: a parent record does not say which partition (repository) it came from.
      path: '{+parent.comments_url}',
      ...pages,
      parent: { stream: 'issues', carry: { issue_id: 'id', issue_number: 'number' } },
      primaryKey: 'id',
      incremental: { cursorField: 'updated_at', params: { since: '{since}' } },
    },
  },
});
