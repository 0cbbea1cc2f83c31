/**
 * The github definition reads GITHUB_REPOSITORIES when the module loads: each `owner/repo` becomes
 * a static partition; a missing or malformed list is refused naming the variable and the entry.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const load = async (value: string | undefined) => {
  vi.resetModules();
  if (value === undefined) delete process.env.GITHUB_REPOSITORIES;
  else process.env.GITHUB_REPOSITORIES = value;
  return import('../src/source.ts');
};

afterEach(() => {
  delete process.env.GITHUB_REPOSITORIES;
});

describe('github configuration', () => {
  it('makes each owner/repo a partition of every repository stream', async () => {
    const { source } = await load('octo-org/alpha, octo-org/beta.js');
    for (const stream of ['issues', 'pull_requests', 'commits'] as const) {
      expect(source.streams[stream]!.partitions).toEqual([
        { owner: 'octo-org', repo: 'alpha' },
        { owner: 'octo-org', repo: 'beta.js' },
      ]);
    }
    expect(source.streams.issue_comments!.parent).toMatchObject({ stream: 'issues' });
  });

  it.each([
    [undefined, /GITHUB_REPOSITORIES.*at least one/],
    ['', /GITHUB_REPOSITORIES.*at least one/],
    ['octo-org', /GITHUB_REPOSITORIES.*"octo-org".*owner\/repo/],
    ['octo-org/alpha,https://github.com/octo-org/beta', /"https:\/\/github.com\/octo-org\/beta"/],
  ])('refuses GITHUB_REPOSITORIES=%s with a ConfigurationError', async (value, message) => {
    await expect(load(value)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(message),
    });
  });
});
