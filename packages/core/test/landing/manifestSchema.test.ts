/**
 * The manifest's one definition: what `buildManifest` writes is a `ManifestSchema` manifest (no
 * field more or less), the reader contract derived from it accepts that and the spellings of
 * earlier manifests, and refuses a wrong type or an unknown field, naming its path.
 */
import { describe, expect, it } from 'vitest';
import { defineSource } from '../../src/definition/defineSource.ts';
import { buildManifest } from '../../src/landing/Manifest.ts';
import { ManifestContractSchema, ManifestSchema } from '../../src/landing/ManifestSchema.ts';

const source = defineSource({
  name: 'shop',
  baseUrl: 'https://shop.example.invalid',
  streams: {
    orders: {
      path: '/orders',
      records: 'data',
      primaryKey: ['shop', 'id'],
      incremental: { cursorField: 'updated_at', params: { since: '{since}' } },
      childTables: ['items'],
      checks: { freshness: { maxAgeHours: 2 } },
    },
    notes: { path: '/orders/{parent.id}/notes', records: 'data', parent: { stream: 'orders' } },
  },
});

function manifestOf(stream: 'orders' | 'notes') {
  return buildManifest({
    runId: '2026-11-23T06-00-00Z-abc',
    source: 'shop',
    stream,
    definition: source.streams[stream]!,
    importDate: '20261123',
    parts: [
      { key: `shop/${stream}/part-00000-a.ndjson.gz`, records: 2, bytes: 40, sha256: 'ab', ndjsonBytes: 60 },
    ],
    pages: 1,
    startedAt: '2026-11-23T06:00:00.000Z',
    finishedAt: '2026-11-23T06:00:01.000Z',
    window: { since: null, until: '2026-11-23T06:00:00.000Z' },
    watermark: null,
  });
}

describe('ManifestSchema', () => {
  it.each(['orders', 'notes'] as const)('describes exactly what buildManifest writes (%s)', (stream) => {
    const manifest = manifestOf(stream);
    expect(ManifestSchema.parse(manifest)).toEqual(manifest);
    expect(ManifestContractSchema.parse(manifest)).toEqual(manifest);
  });

  it('refuses a manifest with a field it does not define, naming the field', () => {
    const result = ManifestSchema.safeParse({ ...manifestOf('orders'), extra: 1 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('extra');
  });
});

describe('ManifestContractSchema (what the curate job accepts)', () => {
  const minimal = { runId: 'r1', source: 'github', stream: 'issues', parts: [{ key: 'p.gz', records: 0 }] };

  it('accepts an earlier manifest: only runId, source, stream and parts; primaryKey a string; nulls for defaults', () => {
    expect(ManifestContractSchema.safeParse(minimal).success).toBe(true);
    const earlier = {
      ...minimal,
      primaryKey: 'id',
      writeDisposition: null,
      schemaContract: null,
      parts: [{ key: 'p.gz', records: 1, bytes: null, sha256: null }],
      checks: { freshness: { maxAgeSeconds: 3600 }, rowCount: {} },
    };
    expect(ManifestContractSchema.safeParse(earlier).success).toBe(true);
  });

  it.each([
    [{ ...minimal, pages: 'three' }, ['pages']],
    [{ ...minimal, window: { since: null } }, ['window', 'until']],
    [{ ...minimal, parts: [{ key: 'p.gz', records: 1, size: 3 }] }, ['parts', 0]],
    [{ ...minimal, checks: { rowCount: { band: -1 } } }, ['checks', 'rowCount', 'band']],
    [{ source: 'github', stream: 'issues', parts: [] }, ['runId']],
  ])('refuses %j at its path', (manifest, path) => {
    const result = ManifestContractSchema.safeParse(manifest);
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => (i.code === 'unrecognized_keys' ? i.path : i.path));
    expect(paths).toContainEqual(path);
  });
});
