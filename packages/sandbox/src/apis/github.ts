/**
 * GitHub's REST API, as the github source calls it: issues (pull requests included, flagged by a
 * `pull_request` object), pulls, commits, issue comments; `page`/`per_page` with a `Link` header,
 * `since`, `x-ratelimit-*` headers, a bearer token. Contributor statistics
 * (`/stats/contributors`: one array of `{ author, total, weeks }` computed from the repository's
 * commits, no pagination), served as already cached (GitHub answers `202 {}` while it computes
 * them; the function's own double plays that).
 */
import {
  intParam,
  json,
  type Route,
  type RouteResult,
  type SandboxApi,
  type SandboxRequest,
} from '../api.ts';
import { FIRST_NAMES, LAST_NAMES, Rng } from '../random.ts';
import { isoSeconds, parseDate, Timeline } from '../time.ts';

export interface GithubOptions {
  seed: number;
  timeline: Timeline;
  token: string;
  /** `owner/repo` names served; others get a 404. */
  repositories: string[];
  /** Issues (pull requests included) and commits per repository at start. */
  records: number;
}

type Json = Record<string, unknown>;

interface Repo {
  fullName: string;
  index: number;
  issues: Map<number, Json>;
  pulls: Map<number, Json>;
  commits: Json[];
  comments: Map<number, Json[]>;
  nextNumber: number;
  nextCommentId: number;
}

const API = 'https://api.github.com';
const WEEK = 7 * 86_400;
const DOCS = 'https://docs.github.com/rest';

export function createGithubApi(options: GithubOptions): SandboxApi {
  const { seed, timeline } = options;
  const users = Array.from({ length: 40 }, (_, i) => user(new Rng(seed, `github:user:${i}`), i));
  const repos = new Map<string, Repo>();
  options.repositories.forEach((fullName, index) => {
    repos.set(fullName.toLowerCase(), createRepo(fullName, index));
  });
  let remaining = 5000;

  function createRepo(fullName: string, index: number): Repo {
    const repo: Repo = {
      fullName,
      index,
      issues: new Map(),
      pulls: new Map(),
      commits: [],
      comments: new Map(),
      nextNumber: 1,
      nextCommentId: 1,
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

  function addIssue(repo: Repo, rng: Rng, created: number, updated: number, isPull: boolean): Json {
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
      repo.pulls.set(number, pull(repo, issue, rng));
    }
    repo.issues.set(number, issue);
    return issue;
  }

  function pull(repo: Repo, issue: Json, rng: Rng): Json {
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

  function comment(repo: Repo, issueNumber: number, rng: Rng, at: number): Json {
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

  function commit(repo: Repo, rng: Rng, at: number, by?: Json): Json {
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

  /** Per commit author: `total` commits and `weeks` of `{ w: week start (unix, a Sunday), a, d, c }`. */
  function contributorStats(repo: Repo): Json[] {
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

  function repoOf(request: SandboxRequest): Repo | undefined {
    return repos.get(`${request.match[1]}/${request.match[2]}`.toLowerCase());
  }

  function notFound(): RouteResult {
    return json(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  }

  function headers(): Record<string, string> {
    remaining = remaining > 1 ? remaining - 1 : 5000;
    return {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(5000 - remaining),
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
    };
  }

  /** One page of `items` with GitHub's `Link` header (first/prev/next/last). */
  function paged(
    request: SandboxRequest,
    items: Json[],
    stream: string,
    keyOf: (r: Json) => string,
  ): RouteResult {
    const url = request.url;
    const perPage = intParam(url, 'per_page', 30, 100);
    const page = intParam(url, 'page', 1, Number.MAX_SAFE_INTEGER);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string) => {
      const u = new URL(url);
      u.searchParams.set('page', String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    const extra: Record<string, string> = links.length ? { link: links.join(', ') } : {};
    return { ...json(200, slice, { ...headers(), ...extra }), served: { stream, keys: slice.map(keyOf) } };
  }

  function since(request: SandboxRequest, field: (r: Json) => string): ((r: Json) => boolean) | RouteResult {
    const raw = request.url.searchParams.get('since');
    const until = request.url.searchParams.get('until');
    const from = raw === null ? undefined : parseDate(raw);
    const to = until === null ? undefined : parseDate(until);
    if ((raw !== null && from === undefined) || (until !== null && to === undefined)) {
      return json(422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'Search',
            field: raw !== null && from === undefined ? 'since' : 'until',
            code: 'invalid',
          },
        ],
        documentation_url: DOCS,
        status: '422',
      });
    }
    return (r) => {
      const at = Date.parse(field(r));
      return (from === undefined || at >= from) && (to === undefined || at <= to);
    };
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

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/issues\/comments$/,
      handle: (request) => {
        const repo = repoOf(request);
        if (!repo) return notFound();
        const filter = since(request, (r) => r.updated_at as string);
        if (typeof filter !== 'function') return filter;
        const all = [...repo.comments.values()].flat().filter(filter);
        const q = request.url.searchParams;
        const sorted = sortBy(
          all,
          q.get('sort') === 'updated' ? 'updated_at' : 'created_at',
          q.get('direction') ?? 'asc',
        );
        return paged(request, sorted, 'issue_comments', (r) => String(r.id));
      },
    },
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      handle: (request) => {
        const repo = repoOf(request);
        const comments = repo?.comments.get(Number(request.match[3]));
        if (!repo || !comments) return notFound();
        const filter = since(request, (r) => r.updated_at as string);
        if (typeof filter !== 'function') return filter;
        return paged(request, comments.filter(filter), 'issue_comments', (r) => String(r.id));
      },
    },
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/issues$/,
      handle: (request) => {
        const repo = repoOf(request);
        if (!repo) return notFound();
        const q = request.url.searchParams;
        const filter = since(request, (r) => r.updated_at as string);
        if (typeof filter !== 'function') return filter;
        const sort = q.get('sort') ?? 'created';
        const field = sort === 'updated' ? 'updated_at' : sort === 'comments' ? 'comments' : 'created_at';
        const items = [...repo.issues.values()].filter(byState(q.get('state'))).filter(filter);
        return paged(request, sortBy(items, field, q.get('direction') ?? 'desc'), 'issues', (r) =>
          String(r.id),
        );
      },
    },
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: (request) => {
        const repo = repoOf(request);
        if (!repo) return notFound();
        const q = request.url.searchParams;
        const sort = q.get('sort') ?? 'created';
        const field = sort === 'updated' ? 'updated_at' : 'created_at';
        const items = [...repo.pulls.values()].filter(byState(q.get('state')));
        const direction = q.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
        return paged(request, sortBy(items, field, direction), 'pull_requests', (r) => String(r.id));
      },
    },
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/stats\/contributors$/,
      handle: (request) => {
        const repo = repoOf(request);
        if (!repo) return notFound();
        const stats = contributorStats(repo);
        return {
          ...json(200, stats, headers()),
          served: {
            stream: 'contributor_stats',
            keys: stats.map((s) => `${repo.fullName}#${(s.author as Json).id}`),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /\/repos\/([^/]+)\/([^/]+)\/commits$/,
      handle: (request) => {
        const repo = repoOf(request);
        if (!repo) return notFound();
        const filter = since(request, (r) => ((r.commit as Json).committer as Json).date as string);
        if (typeof filter !== 'function') return filter;
        const items = repo.commits.filter(filter).reverse();
        return paged(request, items, 'commits', (r) => r.sha as string);
      },
    },
  ];

  return {
    name: 'github',
    routes,
    authorize(request) {
      const auth = request.headers.authorization ?? '';
      if (auth === `Bearer ${options.token}` || auth === `token ${options.token}`) return undefined;
      return this.unauthorized();
    },
    unauthorized: () =>
      json(
        401,
        { message: 'Bad credentials', documentation_url: DOCS, status: '401' },
        { 'x-ratelimit-remaining': '59' },
      ),
    rateLimited: (retryAfter) =>
      json(
        429,
        {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits`,
          status: '429',
        },
        { 'retry-after': String(retryAfter), 'x-ratelimit-remaining': String(remaining) },
      ),
    unavailable: () => json(503, { message: 'Server Error', documentation_url: DOCS, status: '503' }),
    serverError: () => json(500, { message: 'Server Error', documentation_url: DOCS, status: '500' }),
    advance(now, epoch) {
      for (const repo of repos.values()) {
        const rng = new Rng(seed, `github:${repo.fullName}:advance:${epoch}`);
        const issues = [...repo.issues.values()];
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
          repo.issues.set(number, updated);
          const pr = repo.pulls.get(number);
          if (pr) {
            repo.pulls.set(number, {
              ...pr,
              title: updated.title,
              state: updated.state,
              updated_at: updated.updated_at,
              closed_at: updated.closed_at,
            });
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
      const all = [...repos.values()];
      if (stream === 'issues') return all.flatMap((r) => [...r.issues.values()]);
      if (stream === 'pull_requests') return all.flatMap((r) => [...r.pulls.values()]);
      if (stream === 'commits') return all.flatMap((r) => r.commits);
      if (stream === 'issue_comments') return all.flatMap((r) => [...r.comments.values()].flat());
      // As the source lands them: each carries its repository (the API's records do not).
      if (stream === 'contributor_stats')
        return all.flatMap((r) => contributorStats(r).map((s) => ({ ...s, repository: r.fullName })));
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
