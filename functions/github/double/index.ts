/**
 * The one GitHub REST API double, as docs.github.com documents the API the github source calls,
 * used by this source's tests (`githubRoute`, on loopback) and by the sandbox (`createGithubApi`, in
 * the demo and the local stack):
 * - issues (pull requests included, flagged by a `pull_request` object), pulls, commits, issue
 *   comments (per issue and repository-wide); `state`, `sort`, `direction`, `since`/`until`;
 * - `page`/`per_page` with a `Link` header whose links continue on `/repositories/<id>/…`, as
 *   GitHub sends them;
 * - `x-ratelimit-*` and `x-github-request-id` headers; a bearer (or `token`) credential, `Bad
 *   credentials` on a wrong one; the primary (403 + remaining 0 + reset) and secondary (403 or 429
 *   + retry-after) rate limits; 422 Validation Failed (a malformed `since`, or on demand);
 *   `409 Git Repository is empty.` for the commits of a repository without any;
 * - contributor statistics (`/stats/contributors`: one array of `{ author, total, weeks }`, no
 *   pagination, top contributors last), which answer `202 Accepted` with `{}` while GitHub is still
 *   computing them ("Repository statistics": "If the data hasn't been cached when you query a
 *   repository's statistics, you'll receive a 202").
 * A primary limit lasts until its reset: every request before it is answered 403 again and noted in
 * `faults.duringLimit` (GitHub: requests during a limit can get an integration banned).
 */
import {
  FIRST_NAMES,
  intParam,
  isoSeconds,
  json,
  LAST_NAMES,
  parseDate,
  Rng,
  type Route,
  type RouteResult,
  type SandboxApi,
  type SandboxApiDouble,
  type SandboxRequest,
  serveDouble,
  Timeline,
} from '@tributary/sandbox/double';
import type { ApiRoute } from '@tributary/testkit';

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
  /** `/stats/contributors`: one entry per commit author (the sandbox's: computed from `commits`). */
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

export interface GithubDoubleOptions {
  /** The repositories served; read on every request, so a test may change them. */
  repos: Repo[];
  token: string;
  faults?: GithubFaults;
}

const WEEK = 7 * 86_400;
const DOCS = 'https://docs.github.com/rest';
const LIMITS = `${DOCS}/overview/rate-limits-for-the-rest-api`;

/** Per commit author: `total` commits and `weeks` of `{ w: week start (unix, a Sunday), a, d, c }`. */
function computedStats(repo: Repo): Json[] {
  const byAuthor = new Map<number, { author: Json; weeks: Map<number, number> }>();
  for (const c of repo.commits) {
    const author = c.author as Json;
    const at = Date.parse(((c.commit as Json).author as Json).date as string) / 1000;
    // Unix day 0 was a Thursday: weeks start 3 days later, on Sunday.
    const w = Math.floor((at - 3 * 86_400) / WEEK) * WEEK + 3 * 86_400;
    const entry = byAuthor.get(author.id as number) ?? { author, weeks: new Map<number, number>() };
    entry.weeks.set(w, (entry.weeks.get(w) ?? 0) + 1);
    byAuthor.set(author.id as number, entry);
  }
  return [...byAuthor.values()]
    .map(({ author, weeks }) => ({
      author,
      total: [...weeks.values()].reduce((x, y) => x + y, 0),
      weeks: [...weeks].sort(([x], [y]) => x - y).map(([w, c]) => ({ w, a: c * 17, d: c * 5, c })),
    }))
    .sort((x, y) => x.total - y.total); // GitHub lists the top contributors last
}

const fullName = (repo: Repo) => `${repo.owner}/${repo.name}`;

function notFound(headers: Record<string, string>): RouteResult {
  return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' }, headers);
}

function sortBy(items: Json[], field: string, direction: string): Json[] {
  const sign = direction === 'asc' ? 1 : -1;
  return items.sort((a, b) => {
    const x = a[field] as string | number;
    const y = b[field] as string | number;
    return (x < y ? -1 : x > y ? 1 : (a.id as number) - (b.id as number)) * sign;
  });
}

const byState = (state: string | null) => (r: Json) =>
  (state ?? 'open') === 'all' || r.state === (state ?? 'open');

/** `since`/`until` on `field`, or GitHub's 422 for a malformed one. */
function window(request: SandboxRequest, field: (r: Json) => string): ((r: Json) => boolean) | RouteResult {
  const raw = request.url.searchParams.get('since');
  const until = request.url.searchParams.get('until');
  const from = raw === null || raw === '' ? undefined : parseDate(raw);
  const to = until === null || until === '' ? undefined : parseDate(until);
  if ((raw && from === undefined) || (until && to === undefined)) {
    const bad = raw && from === undefined ? 'since' : 'until';
    return json(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'Search', field: bad, code: 'invalid' }],
      documentation_url: DOCS,
      status: '422',
    });
  }
  return (r) => {
    const at = Date.parse(field(r));
    return (from === undefined || at >= from) && (to === undefined || at <= to);
  };
}

/** The double's protocol over `options.repos`: routes, auth, rate limits and refusals. */
export function githubDouble(
  options: GithubDoubleOptions,
): Omit<SandboxApi, 'advance' | 'records' | 'streams'> {
  const { repos, faults } = options;
  const hits = new Map<string, number>();
  let remaining = 5000;
  let requestSeq = 0;
  /** The reset of the primary limit in force (epoch seconds), if any. */
  let limitedUntil: number | undefined;
  const rateHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-used': String(5000 - remaining),
    'x-ratelimit-reset': String(limitedUntil ?? Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    'x-github-request-id': `CAFE:${(++requestSeq).toString(16).padStart(6, '0')}`,
    'x-github-api-version-selected': '2022-11-28',
  });

  /** A fault of the source's tests due for this request, if any (GitHub's own bodies and headers). */
  function fault(path: string): RouteResult | undefined {
    if (!faults) return undefined;
    if (limitedUntil !== undefined && Date.now() >= limitedUntil * 1000) {
      limitedUntil = undefined;
      remaining = 5000;
    }
    if (limitedUntil !== undefined) faults.duringLimit.push(path);
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (limitedUntil !== undefined || faults.primaryLimitOn.get(path) === n) {
      limitedUntil ??= Math.ceil(Date.now() / 1000) + 1;
      remaining = 0;
      const body = {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: `${LIMITS}#about-primary-rate-limits`,
      };
      return json(403, body, { ...rateHeaders(), 'x-ratelimit-used': '5000' });
    }
    if (faults.secondaryLimitOn.get(path) === n) {
      const message =
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID CAFE:1234.';
      const body = { message, documentation_url: `${LIMITS}#about-secondary-rate-limits` };
      return json(403, body, { ...rateHeaders(), 'retry-after': '1' });
    }
    if (!faults.validationFailedOn.has(path)) return undefined;
    return json(
      422,
      {
        message: 'Validation Failed',
        errors: [{ resource: 'Issue', field: 'since', code: 'invalid' }],
        documentation_url: 'https://docs.github.com/rest/issues/issues#list-repository-issues',
      },
      rateHeaders(),
    );
  }

  /** One page of `items` with GitHub's `Link` header (prev/next/last/first, on `/repositories/<id>`). */
  function paged(
    request: SandboxRequest,
    repo: Repo,
    rest: string,
    items: Json[],
    stream: string,
    keyOf: (r: Json) => string,
  ): RouteResult {
    const url = request.url;
    const perPage = intParam(url, 'per_page', 30, 100);
    const page = intParam(url, 'page', 1, Number.MAX_SAFE_INTEGER);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const prefix = url.pathname.slice(0, request.match.index);
    const link = (p: number, rel: string) => {
      const u = new URL(`${prefix}/repositories/${repo.id}${rest}${url.search}`, url.origin);
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    remaining = remaining > 1 ? remaining - 1 : 5000;
    const headers = { ...rateHeaders(), ...(links.length ? { link: links.join(', ') } : {}) };
    return { ...json(200, slice, headers), served: { stream, keys: slice.map(keyOf) } };
  }

  type Handler = (request: SandboxRequest, repo: Repo, rest: string) => RouteResult;
  const lists: Record<string, Handler> = {
    '/issues/comments': (request, repo, rest) => {
      const filter = window(request, (r) => r.updated_at as string);
      if (typeof filter !== 'function') return filter;
      const q = request.url.searchParams;
      const all = [...repo.comments.values()].flat().filter(filter);
      const sorted = sortBy(
        all,
        q.get('sort') === 'updated' ? 'updated_at' : 'created_at',
        q.get('direction') ?? 'asc',
      );
      return paged(request, repo, rest, sorted, 'issue_comments', (r) => String(r.id));
    },
    '/issues': (request, repo, rest) => {
      const q = request.url.searchParams;
      const filter = window(request, (r) => r.updated_at as string);
      if (typeof filter !== 'function') return filter;
      const sort = q.get('sort') ?? 'created';
      const field = sort === 'updated' ? 'updated_at' : sort === 'comments' ? 'comments' : 'created_at';
      const items = repo.issues.filter(byState(q.get('state'))).filter(filter);
      const sorted = sortBy(items, field, q.get('direction') ?? 'desc');
      return paged(request, repo, rest, sorted, 'issues', (r) => String(r.id));
    },
    '/pulls': (request, repo, rest) => {
      const q = request.url.searchParams;
      const sort = q.get('sort') ?? 'created';
      const items = repo.pulls.filter(byState(q.get('state')));
      const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
      const sorted = sortBy(items, sort === 'updated' ? 'updated_at' : 'created_at', direction);
      return paged(request, repo, rest, sorted, 'pull_requests', (r) => String(r.id));
    },
    '/commits': (request, repo, rest) => {
      if (repo.empty) {
        const body = {
          message: 'Git Repository is empty.',
          documentation_url: 'https://docs.github.com/rest/commits/commits#list-commits',
          status: '409',
        };
        return json(409, body, rateHeaders());
      }
      const filter = window(request, (r) => ((r.commit as Json).committer as Json).date as string);
      if (typeof filter !== 'function') return filter;
      const date = (r: Json) => Date.parse(((r.commit as Json).committer as Json).date as string);
      // Newest first; the same second keeps the latest added first.
      const items = repo.commits
        .map((c, i) => [c, i] as const)
        .filter(([c]) => filter(c))
        .sort(([a, i], [b, j]) => date(b) - date(a) || j - i)
        .map(([c]) => c);
      return paged(request, repo, rest, items, 'commits', (r) => r.sha as string);
    },
    '/stats/contributors': (_request, repo) => {
      const key = fullName(repo);
      const left = faults?.statsNotReady?.get(key) ?? 0;
      if (left > 0) {
        faults?.statsNotReady?.set(key, left - 1);
        return json(202, {}, rateHeaders());
      }
      const stats = repo.contributors;
      const keys = stats.map((s) => `${key}#${(s.author as Json).id}`);
      return { ...json(200, stats, rateHeaders()), served: { stream: 'contributor_stats', keys } };
    },
  };

  const find = (m: RegExpMatchArray): Repo | undefined =>
    m[3] !== undefined
      ? repos.find((r) => String(r.id) === m[3])
      : repos.find((r) => fullName(r).toLowerCase() === `${m[1]}/${m[2]}`.toLowerCase());
  const repoRoute = (tail: string, handle: Handler): Route => ({
    method: 'GET',
    pattern: new RegExp(`(?:/repos/([^/]+)/([^/]+)|/repositories/(\\d+))(${tail})$`),
    handle: (request) => {
      const refused = fault(request.url.pathname);
      if (refused) return refused;
      const repo = find(request.match);
      return repo ? handle(request, repo, request.match[4] as string) : notFound(rateHeaders());
    },
  });
  const comments: Handler = (request, repo, rest) => {
    // An issue without comments (or a number GitHub would 404) lists none.
    const list = repo.comments.get(Number(request.match[5])) ?? [];
    const filter = window(request, (r) => r.updated_at as string);
    if (typeof filter !== 'function') return filter;
    return paged(request, repo, rest, list.filter(filter), 'issue_comments', (r) => String(r.id));
  };

  return {
    name: 'github',
    routes: [
      ...Object.entries(lists).map(([tail, handle]) => repoRoute(tail.replace(/\//g, '\\/'), handle)),
      repoRoute('\\/issues\\/(\\d+)\\/comments', comments),
    ],
    authorize(request) {
      const auth = request.headers.authorization ?? '';
      if (auth === `Bearer ${options.token}` || auth === `token ${options.token}`) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(
        401,
        { message: 'Bad credentials', documentation_url: DOCS, status: '401' },
        { ...rateHeaders(), 'x-ratelimit-remaining': '59' },
      ),
    rateLimited: (retryAfter) =>
      json(
        429,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: `${LIMITS}#about-secondary-rate-limits`,
          status: '429',
        },
        { ...rateHeaders(), 'retry-after': String(retryAfter) },
      ),
    unavailable: () => json(503, { message: 'Server Error', documentation_url: DOCS, status: '503' }),
    serverError: () => json(500, { message: 'Server Error', documentation_url: DOCS, status: '500' }),
  };
}

// ---- the source's tests: fixed repositories, faults on demand ----

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
  return {
    owner,
    name,
    id,
    issues,
    pulls,
    commits,
    comments,
    contributors: fixtureContributorStats(commits),
  };
}

/** GitHub's shape: `weeks` of `{ w: week start (unix, a Sunday), a, d, c }`, `total` commits. */
function fixtureContributorStats(commits: Json[]): Json[] {
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

export function githubRoute(repos: Repo[], token: string, faults: GithubFaults): ApiRoute {
  return serveDouble(githubDouble({ repos, token, faults }));
}

// ---- the sandbox: generated repositories that move on with time ----

export interface GithubOptions {
  seed: number;
  timeline: Timeline;
  token: string;
  /** `owner/repo` names served; others get a 404. */
  repositories: string[];
  /** Issues (pull requests included) and commits per repository at start. */
  records: number;
}

interface GeneratedRepo extends Repo {
  fullName: string;
  index: number;
  nextNumber: number;
  nextCommentId: number;
}

const API = 'https://api.github.com';

export function createGithubApi(options: GithubOptions): SandboxApi {
  const { seed, timeline } = options;
  const users = Array.from({ length: 40 }, (_, i) => user(new Rng(seed, `github:user:${i}`), i));
  const repos = options.repositories.map((name, index) => createRepo(name, index));

  function createRepo(fullName: string, index: number): GeneratedRepo {
    const [owner, name] = fullName.split('/') as [string, string];
    const repo: GeneratedRepo = {
      owner,
      name,
      id: 600_000_000 + index,
      fullName,
      index,
      issues: [],
      pulls: [],
      commits: [],
      comments: new Map(),
      nextNumber: 1,
      nextCommentId: 1,
      get contributors() {
        return computedStats(this);
      },
    };
    const count = options.records;
    for (let i = 0; i < count; i++) {
      const rng = new Rng(seed, `github:${fullName}:issue:${i}`);
      const created = timeline.initial(i, count);
      const updated = Math.min(created + rng.int(0, 20 * 86_400_000), timeline.initial(count - 1, count));
      addIssue(repo, rng, created, updated, rng.bool(0.3));
      const commitRng = new Rng(seed, `github:${fullName}:commit:${i}`);
      repo.commits.push(commit(repo, commitRng, timeline.initial(i, count)));
    }
    return repo;
  }

  function addIssue(repo: GeneratedRepo, rng: Rng, created: number, updated: number, isPull: boolean): Json {
    const number = repo.nextNumber++;
    const author = rng.pick(users);
    const closed = rng.bool(0.55);
    const labels = rng.sample(LABELS, rng.int(0, 3)).map((l, i) => ({
      id: 9_000_000 + LABELS.indexOf(l) * 17 + i,
      node_id: `LA_${rng.alnum(12)}`,
      url: `${API}/repos/${repo.fullName}/labels/${encodeURIComponent(l.name)}`,
      name: l.name,
      color: l.color,
      default: l.name === 'bug',
      description: l.description,
    }));
    const comments: Json[] = [];
    repo.comments.set(number, comments);
    const commentCount = rng.int(0, 3);
    for (let c = 0; c < commentCount; c++) {
      const at = created + Math.floor(((updated - created) * (c + 1)) / (commentCount + 1));
      comments.push(comment(repo, number, rng, at));
    }
    const issue: Json = {
      url: `${API}/repos/${repo.fullName}/issues/${number}`,
      repository_url: `${API}/repos/${repo.fullName}`,
      labels_url: `${API}/repos/${repo.fullName}/issues/${number}/labels{/name}`,
      comments_url: `${API}/repos/${repo.fullName}/issues/${number}/comments`,
      events_url: `${API}/repos/${repo.fullName}/issues/${number}/events`,
      html_url: `https://github.com/${repo.fullName}/${isPull ? 'pull' : 'issues'}/${number}`,
      id: 2_000_000_000 + repo.index * 10_000_000 + number,
      node_id: `I_kwDO${rng.alnum(14)}`,
      number,
      title: `${rng.pick(['Fix', 'Add', 'Support', 'Handle', 'Document', 'Speed up'])} ${rng.words(rng.int(2, 6))}`,
      user: author,
      labels,
      state: closed ? 'closed' : 'open',
      locked: false,
      assignee: rng.bool(0.4) ? rng.pick(users) : null,
      assignees: [],
      milestone: rng.bool(0.2)
        ? { id: 7_000_000 + repo.index, number: 1, title: 'v1.0', state: 'open', due_on: null }
        : null,
      comments: comments.length,
      created_at: isoSeconds(created),
      updated_at: isoSeconds(updated),
      closed_at: closed ? isoSeconds(updated) : null,
      author_association: rng.pick(['OWNER', 'MEMBER', 'CONTRIBUTOR', 'NONE']),
      active_lock_reason: null,
      body: rng.bool(0.9) ? `${rng.sentence()}\n\n${rng.sentence(6, 20)}` : null,
      reactions: reactions(rng, `${API}/repos/${repo.fullName}/issues/${number}/reactions`),
      timeline_url: `${API}/repos/${repo.fullName}/issues/${number}/timeline`,
      state_reason: closed ? 'completed' : null,
    };
    if (isPull) {
      const merged = closed && rng.bool(0.8) ? isoSeconds(updated) : null;
      issue.draft = false;
      issue.pull_request = {
        url: `${API}/repos/${repo.fullName}/pulls/${number}`,
        html_url: `https://github.com/${repo.fullName}/pull/${number}`,
        diff_url: `https://github.com/${repo.fullName}/pull/${number}.diff`,
        patch_url: `https://github.com/${repo.fullName}/pull/${number}.patch`,
        merged_at: merged,
      };
      repo.pulls.push(pull(repo, issue, rng));
    }
    repo.issues.push(issue);
    return issue;
  }

  function pull(repo: GeneratedRepo, issue: Json, rng: Rng): Json {
    const number = issue.number as number;
    const pr = issue.pull_request as Json;
    const branch = `feature/${String(rng.words(2)).replace(/ /g, '-')}-${number}`;
    const repoRef = {
      id: 600_000_000 + repo.index,
      name: repo.fullName.split('/')[1],
      full_name: repo.fullName,
    };
    return {
      url: pr.url,
      id: 1_500_000_000 + repo.index * 10_000_000 + number,
      node_id: `PR_kwDO${rng.alnum(14)}`,
      html_url: pr.html_url,
      diff_url: pr.diff_url,
      patch_url: pr.patch_url,
      issue_url: issue.url,
      number,
      state: issue.state,
      locked: false,
      title: issue.title,
      user: issue.user,
      body: issue.body,
      labels: issue.labels,
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.closed_at,
      merged_at: pr.merged_at,
      merge_commit_sha: pr.merged_at ? rng.hex(40) : null,
      draft: false,
      head: {
        label: `${repo.fullName.split('/')[0]}:${branch}`,
        ref: branch,
        sha: rng.hex(40),
        repo: repoRef,
      },
      base: { label: `${repo.fullName.split('/')[0]}:main`, ref: 'main', sha: rng.hex(40), repo: repoRef },
      author_association: issue.author_association,
      auto_merge: null,
    };
  }

  function comment(repo: GeneratedRepo, issueNumber: number, rng: Rng, at: number): Json {
    const id = 3_000_000_000 + repo.index * 100_000_000 + repo.nextCommentId++;
    return {
      url: `${API}/repos/${repo.fullName}/issues/comments/${id}`,
      html_url: `https://github.com/${repo.fullName}/issues/${issueNumber}#issuecomment-${id}`,
      issue_url: `${API}/repos/${repo.fullName}/issues/${issueNumber}`,
      id,
      node_id: `IC_kwDO${rng.alnum(14)}`,
      user: rng.pick(users),
      created_at: isoSeconds(at),
      updated_at: isoSeconds(at),
      author_association: rng.pick(['OWNER', 'MEMBER', 'CONTRIBUTOR', 'NONE']),
      body: rng.sentence(3, 25),
      reactions: reactions(rng, `${API}/repos/${repo.fullName}/issues/comments/${id}/reactions`),
    };
  }

  function commit(repo: GeneratedRepo, rng: Rng, at: number, by?: Json): Json {
    const sha = rng.hex(40);
    const picked = rng.pick(users);
    const author = (by ?? picked) as typeof picked;
    const who = {
      name: author.login,
      email: `${author.login}@users.noreply.github.com`,
      date: isoSeconds(at),
    };
    return {
      sha,
      node_id: `C_kwDO${rng.alnum(14)}`,
      commit: {
        author: who,
        committer: { ...who, date: isoSeconds(at) },
        message: `${rng.sentence(3, 9)}\n\n${rng.sentence()}`,
        tree: { sha: rng.hex(40), url: `${API}/repos/${repo.fullName}/git/trees/${sha}` },
        url: `${API}/repos/${repo.fullName}/git/commits/${sha}`,
        comment_count: 0,
        verification: { verified: rng.bool(0.6), reason: 'valid', signature: null, payload: null },
      },
      url: `${API}/repos/${repo.fullName}/commits/${sha}`,
      html_url: `https://github.com/${repo.fullName}/commit/${sha}`,
      comments_url: `${API}/repos/${repo.fullName}/commits/${sha}/comments`,
      author,
      committer: author,
      parents: [{ sha: rng.hex(40), url: `${API}/repos/${repo.fullName}/commits/${rng.hex(40)}` }],
    };
  }

  return {
    ...githubDouble({ repos, token: options.token }),
    advance(now, epoch) {
      for (const repo of repos) {
        const rng = new Rng(seed, `github:${repo.fullName}:advance:${epoch}`);
        const issues = [...repo.issues];
        const touched = rng.sample(issues, Math.max(1, Math.round(issues.length * 0.08)));
        const added = Math.max(1, Math.round(issues.length * 0.04));
        const commits = Math.max(1, Math.round(repo.commits.length * 0.03));
        const total = touched.length + added + commits + 1;
        let i = 0;
        for (const issue of touched) {
          const at = Timeline.change(now, i++, total);
          const number = issue.number as number;
          const updated: Json = { ...issue, updated_at: isoSeconds(at), title: `${issue.title} (edited)` };
          if (issue.state === 'open' && rng.bool(0.5)) {
            updated.state = 'closed';
            updated.closed_at = isoSeconds(at);
            updated.state_reason = 'completed';
          }
          const comments = repo.comments.get(number) ?? [];
          comments.push(comment(repo, number, rng, at));
          updated.comments = comments.length;
          repo.issues[repo.issues.indexOf(issue)] = updated;
          const at2 = repo.pulls.findIndex((p) => p.number === number);
          const pr = repo.pulls[at2];
          if (pr) {
            repo.pulls[at2] = {
              ...pr,
              title: updated.title,
              state: updated.state,
              updated_at: updated.updated_at,
              closed_at: updated.closed_at,
            };
          }
        }
        for (let n = 0; n < added; n++) {
          const at = Timeline.change(now, i++, total);
          addIssue(repo, rng, at, at, rng.bool(0.3));
        }
        for (let n = 0; n < commits; n++)
          repo.commits.push(commit(repo, rng, Timeline.change(now, i++, total)));
        // Someone new contributes too: one more entry in the contributor statistics.
        const newcomer = user(new Rng(seed, `github:newcomer:${epoch}`), users.length + epoch);
        repo.commits.push(commit(repo, rng, Timeline.change(now, i++, total), newcomer));
      }
    },
    records(stream) {
      const all = repos;
      if (stream === 'issues') return all.flatMap((r) => r.issues);
      if (stream === 'pull_requests') return all.flatMap((r) => r.pulls);
      if (stream === 'commits') return all.flatMap((r) => r.commits);
      if (stream === 'issue_comments') return all.flatMap((r) => [...r.comments.values()].flat());
      // As the source lands them: each carries its repository (the API's records do not).
      if (stream === 'contributor_stats')
        return all.flatMap((r) => r.contributors.map((s) => ({ ...s, repository: r.fullName })));
      return [];
    },
    streams: () => ['issues', 'pull_requests', 'commits', 'contributor_stats', 'issue_comments'],
  };
}

function user(rng: Rng, i: number) {
  const login = `${rng.pick(FIRST_NAMES)}${rng.pick(LAST_NAMES)}${i}`.toLowerCase();
  const id = 10_000 + i * 7919;
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${rng.alnum(6)}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `https://github.com/${login}`,
    type: i % 13 === 0 ? 'Bot' : 'User',
    site_admin: false,
  };
}

function reactions(rng: Rng, url: string): Json {
  const counts = {
    '+1': rng.int(0, 5),
    '-1': rng.int(0, 1),
    laugh: rng.int(0, 2),
    hooray: rng.int(0, 2),
    confused: 0,
    heart: rng.int(0, 3),
    rocket: rng.int(0, 2),
    eyes: rng.int(0, 1),
  };
  return { url, total_count: Object.values(counts).reduce((a, b) => a + b, 0), ...counts };
}

const LABELS = [
  { name: 'bug', color: 'd73a4a', description: "Something isn't working" },
  { name: 'enhancement', color: 'a2eeef', description: 'New feature or request' },
  { name: 'documentation', color: '0075ca', description: 'Improvements or additions to documentation' },
  { name: 'good first issue', color: '7057ff', description: 'Good for newcomers' },
  { name: 'performance', color: 'fbca04', description: null },
] as const;

declare module '@tributary/sandbox/double' {
  interface SandboxSources {
    github: { token: string };
  }
}

/** This double in the sandbox: the repositories of the `githubRepositories` option. */
export const sandboxApi: SandboxApiDouble<'github'> = {
  name: 'github',
  credentials: { token: 'ghp_sandboxToken0000000000000000000000' },
  create: ({ seed, timeline, records, credentials, options }) =>
    createGithubApi({
      seed,
      timeline,
      token: credentials.token,
      repositories: options.githubRepositories,
      records,
    }),
  env: (_url, options) => ({ GITHUB_REPOSITORIES: options.githubRepositories.join(',') }),
};
