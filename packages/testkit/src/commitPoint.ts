/**
 * The manifest-is-the-only-commit-point scenario, shared by the sources' commitPoint tests: a
 * finished run, then the source's data changes, then a rerun of the same runId whose manifest PUT
 * is cut by a fault proxy (started here, in front of moto at `AWS_ENDPOINT_URL`). It asserts the rerun fails with a SinkError after
 * writing at least one part, and that each committed manifest and the parts it lists are exactly
 * as before, with none of the rerun's parts behind. Each test keeps only its source's setup.
 */
import { expect } from 'vitest';
import { committedMismatches } from './committed.ts';
import { startFaultProxy } from './faultProxy.ts';
import { getObject, lambdaContext, listKeys } from './lake.ts';
import { rejectionOf } from './rejectionOf.ts';

/** What the scenario needs of a source's Lambda handler. */
type RunHandler = (
  event: { runId: string },
  context: ReturnType<typeof lambdaContext>,
) => Promise<{ status: string; streams: readonly { manifest?: string | null }[] }>;

export interface ManifestCommitPointOptions {
  handler: RunHandler;
  bucket: string;
  runId: string;
  /** Changes the source's data between the finished run and the rerun. */
  changeData(): void;
}

export async function assertManifestIsTheCommitPoint(options: ManifestCommitPointOptions): Promise<void> {
  const { handler, bucket, runId } = options;
  const motoEndpoint = process.env.AWS_ENDPOINT_URL;
  if (!motoEndpoint)
    throw new Error('AWS_ENDPOINT_URL is not set: run under test/support/globalSetup.ts (moto)');
  const proxy = await startFaultProxy(motoEndpoint);
  // Prepare: a finished run
  const first = await handler({ runId }, lambdaContext());
  expect(first.status).toBe('complete');
  const committed = first.streams.map((s) => {
    const key = s.manifest!.replace(`s3://${bucket}/`, '');
    return { key, prefix: key.replace(/_manifest\.json$/, '') };
  });
  const before = await Promise.all(
    committed.map(async (c) => ({
      keys: await listKeys(bucket, c.prefix),
      manifest: await getObject(bucket, c.key),
    })),
  );
  options.changeData();

  try {
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
    proxy.cut(({ method, url }) => method === 'PUT' && url.includes('/_manifest.json'));
    // Act
    const failure = await rejectionOf(handler({ runId }, lambdaContext()));

    // Assess
    expect(failure.name).toBe('SinkError');
    const rerunParts = proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/part-') && !r.cut);
    expect(rerunParts.length).toBeGreaterThanOrEqual(1);
    for (const [i, c] of committed.entries()) {
      expect(await listKeys(bucket, c.prefix)).toEqual(before[i]!.keys);
      expect(await getObject(bucket, c.key)).toEqual(before[i]!.manifest);
      expect(await committedMismatches(bucket, c.key)).toEqual([]);
    }
  } finally {
    proxy.cut(undefined);
    process.env.AWS_ENDPOINT_URL = motoEndpoint;
    await proxy.close();
  }
}
