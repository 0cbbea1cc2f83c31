/**
 * The demo's print of a run report, on a real one: glue-scripts/tests/fixtures/run-report.json was
 * written by curate.py on local Spark (drift under evolve, a failed warn check, drift under freeze
 * failing the run) and is checked against docs/schemas/run-report.schema.json by test_report.py.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { formatRunReport, type RunReport, readRunReport, repoRoot } from '@tributary/sandbox/local';
import { describe, expect, it } from 'vitest';

const report = JSON.parse(
  readFileSync(join(repoRoot, 'glue-scripts/tests/fixtures/run-report.json'), 'utf8'),
) as RunReport;
const uri = 's3://curated/_runs/2026-11-24-demo-r2.json';

describe('formatRunReport', () => {
  it('prints the run, a row per stream with its counts and checks, then each drift, failed check and error', () => {
    // Act
    const lines = formatRunReport(report, uri).split('\n');

    // Assess
    expect(lines[0]).toMatch(
      new RegExp(
        `^run report ${uri}: failed in \\d+\\.\\d s, 3 streams \\(1 failed\\), 7 records landed, 4 inserted, 2 updated, 2 columns changed, 1 check failed$`,
      ),
    );
    expect(lines[1]).toMatch(
      /^source +stream +status +landed +inserted +updated +unchanged +deduplicated +rejected +rows in table +checks$/,
    );
    const row = (name: string) => lines.find((l) => l.split(/ {2,}/).slice(0, 2).join('.') === name);
    // github.issues: 3 landed (1 new issue, 2 newer or same versions), its 3 checks passed
    expect(row('github.issues')?.split(/ +/)).toEqual([
      'github',
      'issues',
      'curated',
      '3',
      '1',
      '2',
      '0',
      '0',
      '0',
      '6',
      '3/3',
      'passed',
    ]);
    expect(row('stripe.charges')?.split(/ +/)).toEqual([
      'stripe',
      'charges',
      'curated',
      '3',
      '3',
      '0',
      '0',
      '0',
      '0',
      '3',
      '2/3',
      'passed',
    ]);
    expect(row('shop.products')?.split(/ +/)).toEqual([
      'shop',
      'products',
      'failed',
      '1',
      '0',
      '0',
      '0',
      '0',
      '0',
      '-',
      '-',
    ]);
    expect(lines.slice(6)).toEqual([
      '~ drift  github.issues: new columns milestone__title',
      expect.stringMatching(
        /^! check warn {2}stripe\.charges: DataFreshness "_cursor" <= 1 hours \(observed \d+(\.\d+)?\): /,
      ),
      '✗ drift under freeze, not curated  shop.products: new columns color',
      expect.stringMatching(
        /^✗ SchemaContractError {2}shop\.products: local\.demo\.shop_products: schemaContract is freeze, but this run changes the table's columns: new columns color\./,
      ),
    ]);
  });

  it('says so when every stream is fine: no notes, the counts only', () => {
    const quiet: RunReport = {
      ...report,
      status: 'succeeded',
      error: null,
      totals: { ...report.totals, streamsFailed: 0, columnsChanged: 0, checksFailed: 0, streams: 1 },
      sources: [{ source: 'github', streams: [{ ...report.sources[0]!.streams[0]!, columnsAdded: [] }] }],
    };

    const text = formatRunReport(quiet);

    expect(text.split('\n')[0]).toMatch(
      /^run report 2026-11-24-demo-r2: succeeded in .*, 1 stream, .*0 columns changed, 0 checks failed$/,
    );
    expect(text.split('\n')).toHaveLength(4); // the line, the table's header, its rule, the row
  });
});

describe('readRunReport', () => {
  it('reads _runs/<runId>.json from the curated bucket (moto), and nothing when the run wrote none', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    const bucket = 'run-report-test-curated';
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `_runs/${report.runId}.json`,
        Body: JSON.stringify(report),
      }),
    );

    const found = await readRunReport(bucket, report.runId, s3);
    const missing = await readRunReport(bucket, 'never-ran');

    expect(found).toEqual({ uri: `s3://${bucket}/_runs/${report.runId}.json`, report });
    expect(missing).toBeUndefined();
    s3.destroy();
  });
});
