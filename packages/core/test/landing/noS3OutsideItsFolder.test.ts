/**
 * The storage seam holds: no file of core's src outside `src/landing/s3/` imports the S3 SDK
 * (`@aws-sdk/client-s3`, `@aws-sdk/lib-storage`), so landing depends on `LandingStorage` alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const S3_FOLDER = 'landing/s3/';
/** `from '…'`, `import '…'`, `import('…')`, `require('…')` of either package (or a subpath of it). */
const S3_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]@aws-sdk\/(?:client-s3|lib-storage)(?:\/[^'"]*)?['"]/;

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.[cm]?[jt]s$/.test(f))
    .map((f) => f.split(sep).join('/'));
}

function importsS3(file: string): boolean {
  return S3_IMPORT.test(readFileSync(join(SRC, file), 'utf8'));
}

describe('the storage seam', () => {
  it('no file of core/src outside landing/s3 imports @aws-sdk/client-s3 or @aws-sdk/lib-storage', () => {
    // Prepare
    const outside = sourceFiles().filter((f) => !f.startsWith(S3_FOLDER));

    // Act
    const offenders = outside.filter(importsS3);

    // Assess
    expect(outside.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });

  it('the S3 implementation is where those imports are (the check sees them)', () => {
    const inside = sourceFiles().filter((f) => f.startsWith(S3_FOLDER));
    expect(inside.filter(importsS3)).toEqual([`${S3_FOLDER}S3LandingStorage.ts`]);
  });
});
