/**
 * A GitHub REST API double on loopback, shaped as docs.github.com documents it: `Link` header
 * pagination (next links on `/repositories/<id>/…`, as GitHub sends them), `x-ratelimit-*` and
 * `x-github-request-id` headers, `since` filters, `Bad credentials` on a wrong token, the primary
 * (403 + remaining 0 + reset) and secondary (403 + retry-after) rate limits, 422 Validation Failed, and
 * `409 Git Repository is empty.` for the commits of a repository without any, and the contributor
 * statistics (`/stats/contributors`: one array of `{ author, total, weeks }`, no pagination), which
 * answer `202 Accepted` with `{}` while GitHub is still computing them ("Repository statistics":
 * "If the data hasn't been cached when you query a repository's statistics, you'll receive a 202").
 * A primary limit lasts until its reset: every request before it is answered 403 again and noted
 * in `faults.duringLimit` (GitHub: requests during a limit can get an integration banned).
 */
import type { ApiReply, ApiRequest } from '@tributary/testkit';

type Json = Record<string, unknown>;

export interface Repo {
  owner: string;
  name: string;
  id: number;
  issues: Json[];
  pulls: Json[];
  commits: Json[];
  /** Comments per issue number. */
  comments: Map<number, Json[]>;
  /** `/stats/contributors`: one entry per commit author, the weeks their commits fall in. */
  contributors: Json[];
  /** No commits pushed yet: commits answer `409 Git Repository is empty.` */
  empty?: boolean;
}

export interface GithubFaults {
  /** Answer the n-th request to these paths (1-based, counted per path) with a primary rate limit. */
  primaryLimitOn: Map<string, number>;
  /** Answer the n-th request to these paths with a secondary rate limit (retry-after). */
  secondaryLimitOn: Map<string, number>;
  /** Paths answered with 422 Validation Failed. */
  validationFailedOn: Set<string>;
  /** `owner/name` → how many first `/stats/contributors` requests answer `202 {}` (still computing). */
  statsNotReady?: Map<string, number>;
  /** Filled in by the double: the paths of requests that arrived while a primary limit was in force. */
  duringLimit: string[];
}

/** Commit authors, in turn. */
const AUTHORS = [
  { login: 'octocat', id: 1 },
  { login: 'hubot', id: 2 },
  { login: 'monalisa', id: 3 },
];

const minutes = (base: string, n: number) =>
  new Date(Date.parse(base) + n * 60_000).toISOString().replace('.000', '');

/**
 * `count` issues (every third a pull request), their pulls, comments and `commitCount` commits. URLs
 * in records point at `host`, as GitHub's point at the API host that served them.
 */
export function makeRepo(
  host: string,
  owner: string,
  name: string,
  id: number,
  count: number,
  commitCount: number,
): Repo {
  const repoUrl = `${host}/repos/${owner}/${name}`;
  const issues: Json[] = [];
  const pulls: Json[] = [];
  const comments = new Map<number, Json[]>();
  for (let n = 1; n <= count; n++) {
    const isPr = n % 3 === 0;
    const updated = minutes('2026-11-01T00:00:00Z', n);
    const commentCount = n % 4 === 0 ? 2 : 0;
    issues.push({
      url: `${repoUrl}/issues/${n}`,
      repository_url: repoUrl,
      comments_url: `${repoUrl}/issues/${n}/comments`,
      id: id * 100_000 + n,
      node_id: `I_kw${id}${n}`,
      number: n,
      title: `${isPr ? 'Pull request' : 'Issue'} ${n} of ${name}`,
      user: { login: 'octocat', id: 1, type: 'User' },
      labels: n % 2 ? [{ id: 208045946, name: 'bug', color: 'f29513', default: true }] : [],
      state: n % 5 === 0 ? 'closed' : 'open',
      locked: false,
      assignee: null,
      comments: commentCount,
      created_at: minutes('2026-10-01T00:00:00Z', n),
      updated_at: updated,
      closed_at: n % 5 === 0 ? updated : null,
      author_association: 'OWNER',
      body: `Body of #${n}`,
      ...(isPr
        ? {
            pull_request: {
              url: `${repoUrl}/pulls/${n}`,
              html_url: `https://github.com/${owner}/${name}/pull/${n}`,
              diff_url: `https://github.com/${owner}/${name}/pull/${n}.diff`,
              patch_url: `https://github.com/${owner}/${name}/pull/${n}.patch`,
              merged_at: null,
            },
          }
        : {}),
    });
    if (isPr) {
      pulls.push({
        url: `${repoUrl}/pulls/${n}`,
        id: id * 1_000_000 + n,
        number: n,
        state: 'open',
        title: `Pull request ${n} of ${name}`,
        user: { login: 'octocat', id: 1 },
        created_at: minutes('2026-10-01T00:00:00Z', n),
        updated_at: updated,
        head: { label: `octocat:feature-${n}`, ref: `feature-${n}`, sha: `${n}`.padStart(40, 'a') },
        base: { label: `${owner}:main`, ref: 'main', sha: `${n}`.padStart(40, 'b') },
        draft: false,
      });
    }
    if (commentCount) {
      comments.set(
        n,
        Array.from({ length: commentCount }, (_, c) => ({
          url: `${repoUrl}/issues/comments/${id * 10_000 + n * 10 + c}`,
          id: id * 10_000 + n * 10 + c,
          issue_url: `${repoUrl}/issues/${n}`,
          user: { login: 'hubot', id: 2 },
          created_at: minutes(updated, -c - 1),
          updated_at: minutes(updated, -c),
          body: `Comment ${c} on #${n}`,
        })),
      );
    }
  }
  const commits: Json[] = Array.from({ length: commitCount }, (_, i) => {
    const date = minutes('2026-11-02T00:00:00Z', commitCount - i);
    return {
      sha: `${id}${i}`.padEnd(40, 'c'),
      node_id: `C_kw${id}${i}`,
      commit: {
        author: { name: 'Monalisa Octocat', email: 'mona@github.com', date },
        committer: { name: 'GitHub', email: 'noreply@github.com', date },
        message: `Commit ${i}`,
        tree: { sha: `${i}`.padEnd(40, 't') },
        comment_count: 0,
      },
      author: AUTHORS[i % AUTHORS.length],
      committer: { login: 'web-flow', id: 19864447 },
      parents: [],
    };
  });
  return { owner, name, id, issues, pulls, commits, comments, contributors: contributorStats(commits) };
}

const WEEK = 7 * 86_400;

/** GitHub's shape: `weeks` of `{ w: week start (unix, a Sunday), a, d, c }`, `total` commits. */
function contributorStats(commits: Json[]): Json[] {
  const byAuthor = new Map<number, { author: Json; weeks: Map<number, number> }>();
  for (const c of commits) {
    const author = c.author as Json;
    const date = Date.parse((c.commit as { author: { date: string } }).author.date) / 1000;
    // Unix day 0 was a Thursday: weeks start 3 days later, on Sunday.
    const w = Math.floor((date - 3 * 86_400) / WEEK) * WEEK + 3 * 86_400;
    const entry = byAuthor.get(author.id as number) ?? { author, weeks: new Map() };
    entry.weeks.set(w, (entry.weeks.get(w) ?? 0) + 1);
    byAuthor.set(author.id as number, entry);
  }
  return [...byAuthor.values()].map(({ author, weeks }) => ({
    author: { ...author, type: 'User', site_admin: false },
    total: [...weeks.values()].reduce((x, y) => x + y, 0),
    weeks: [...weeks].sort(([x], [y]) => x - y).map(([w, c]) => ({ w, a: c * 10, d: c * 2, c })),
  }));
}

const DOCS = 'https://docs.github.com/rest';

export function githubRoute(repos: Repo[], token: string, faults: GithubFaults) {
  const hits = new Map<string, number>();
  let remaining = 5000;
  /** The reset of the primary limit in force (epoch seconds), if any. */
  let limitedUntil: number | undefined;
  const reset = () => limitedUntil ?? Math.ceil(Date.now() / 1000) + 1;
  const rateHeaders = () => ({
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-reset': String(reset()),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': `CAFE:${Math.random().toString(16).slice(2, 8)}`,
    'x-github-api-version-selected': '2022-11-28',
  });

  return (req: ApiRequest): ApiReply => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return {
        status: 401,
        headers: rateHeaders(),
        body: { message: 'Bad credentials', documentation_url: DOCS, status: '401' },
      };
    }
    if (limitedUntil !== undefined && Date.now() >= limitedUntil * 1000) {
      limitedUntil = undefined;
      remaining = 5000;
    }
    if (limitedUntil !== undefined) faults.duringLimit.push(req.path);
    const n = (hits.get(req.path) ?? 0) + 1;
    hits.set(req.path, n);
    if (limitedUntil !== undefined || faults.primaryLimitOn.get(req.path) === n) {
      limitedUntil ??= reset();
      remaining = 0;
      return {
        status: 403,
        headers: { ...rateHeaders(), 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000' },
        body: {
          message: 'API rate limit exceeded for user ID 1.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits',
        },
      };
    }
    if (faults.secondaryLimitOn.get(req.path) === n) {
      return {
        status: 403,
        headers: { ...rateHeaders(), 'retry-after': '1' },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID CAFE:1234.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
      };
    }
    if (faults.validationFailedOn.has(req.path)) {
      return {
        status: 422,
        headers: rateHeaders(),
        body: {
          message: 'Validation Failed',
          errors: [{ resource: 'Issue', field: 'since', code: 'invalid' }],
          documentation_url: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
        },
      };
    }
    remaining--;

    // /repos/{owner}/{repo}/… as first requested, /repositories/{id}/… as the Link header continues.
    const m =
      /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(req.path) ?? /^\/repositories\/(\d+)()(\/.*)$/.exec(req.path);
    const repo = m && repos.find((r) => (m[2] ? r.owner === m[1] && r.name === m[2] : String(r.id) === m[1]));
    if (!m || !repo)
      return { status: 404, headers: rateHeaders(), body: { message: 'Not Found', documentation_url: DOCS } };
    const rest = m[3]!;
    const since = req.query.get('since');
    const until = req.query.get('until');
    const after = (v: string) => !since || Date.parse(v) >= Date.parse(since);

    if (rest === '/stats/contributors') {
      const key = `${repo.owner}/${repo.name}`;
      const left = faults.statsNotReady?.get(key) ?? 0;
      if (left > 0) {
        faults.statsNotReady!.set(key, left - 1);
        return { status: 202, headers: rateHeaders(), body: {} };
      }
      return { headers: rateHeaders(), body: repo.contributors };
    }

    let list: Json[];
    if (rest === '/issues') list = repo.issues.filter((i) => after(i.updated_at as string));
    else if (rest === '/pulls') list = repo.pulls;
    else if (rest === '/commits' && repo.empty) {
      return {
        status: 409,
        headers: rateHeaders(),
        body: {
          message: 'Git Repository is empty.',
          documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits',
          status: '409',
        },
      };
    } else if (rest === '/commits') {
      list = repo.commits.filter((c) => {
        const date = (c.commit as { committer: { date: string } }).committer.date;
        return after(date) && (!until || Date.parse(date) <= Date.parse(until));
      });
    } else {
      const c = /^\/issues\/(\d+)\/comments$/.exec(rest);
      if (!c)
        return {
          status: 404,
          headers: rateHeaders(),
          body: { message: 'Not Found', documentation_url: DOCS },
        };
      list = (repo.comments.get(Number(c[1])) ?? []).filter((x) => after(x.updated_at as string));
    }

    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100);
    const page = Number(req.query.get('page') ?? 1);
    const last = Math.max(1, Math.ceil(list.length / perPage));
    const link = (p: number, rel: string) => {
      const q = new URLSearchParams(req.query);
      q.set('page', String(p));
      return `<http://${req.headers.host}/repositories/${repo.id}${rest}?${q}>; rel="${rel}"`;
    };
    const links = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return {
      headers: { ...rateHeaders(), ...(links.length ? { link: links.join(', ') } : {}) },
      body: list.slice((page - 1) * perPage, page * perPage),
    };
  };
}
