// biome-ignore-all lint/suspicious/noExplicitAny: yauzl has no types here
/**
 * The deploy hook that uploads glue-scripts/ (scripts/serverless/upload-glue-scripts.cjs), against
 * the moto server: the entry script as is, the package zipped for --extra-py-files, no tests.
 */

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, expect, it } from 'vitest';
import { repoRoot } from './support/packaged.ts';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const plugin = require(join(repoRoot, 'scripts/serverless/upload-glue-scripts.cjs')) as {
  uploadGlueScripts(o: { s3: S3Client; bucket: string; dir: string }): Promise<string[]>;
  jobFiles(dir: string): string[];
};
const fromOsls = (name: string) =>
  require(require.resolve(name, { paths: [join(require.resolve('osls/package.json'), '..')] }));

/** The entries of a zip: name → text (yauzl, the unzipper osls itself uses). */
function unzip(buffer: Buffer): Promise<Record<string, string>> {
  const yauzl = fromOsls('yauzl');
  return new Promise((ok, fail) => {
    const out: Record<string, string> = {};
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err: Error | null, zip: any) => {
      if (err) return fail(err);
      zip.on('entry', (entry: any) => {
        zip.openReadStream(entry, (e: Error | null, stream: NodeJS.ReadableStream) => {
          if (e) return fail(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out[entry.fileName] = Buffer.concat(chunks).toString();
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => ok(out));
      zip.readEntry();
    });
  });
}

const bucket = 'sfn-test-glue-scripts';
const s3 = new S3Client({});
let dir: string;

beforeAll(async () => {
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
    }),
  );
  dir = mkdtempSync(join(tmpdir(), 'glue-scripts-'));
  const put = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  put('curate.py', 'print("curate")\n');
  put('tributary_curate/__init__.py', '');
  put('tributary_curate/flatten.py', 'def flatten(): ...\n');
  put('tributary_curate/__pycache__/flatten.cpython-311.pyc', 'x');
  put('tests/test_flatten.py', 'def test(): ...\n');
  put('tests/conftest.py', '');
  put('requirements-dev.txt', 'pyspark==3.5.4\n');
  put('ruff.toml', '');
});

it('uploads the entry script and the zipped package, and nothing for tests or dev', async () => {
  const keys = await plugin.uploadGlueScripts({ s3, bucket, dir });

  expect(keys).toEqual(['glue-scripts/curate.py', 'glue-scripts/tributary_curate.zip']);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(keys);
  const script = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'glue-scripts/curate.py' }));
  expect(await script.Body?.transformToString()).toBe('print("curate")\n');
  const zipped = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: 'glue-scripts/tributary_curate.zip' }),
  );
  const entries = await unzip(Buffer.from(await zipped.Body!.transformToByteArray()));
  expect(entries).toEqual({
    'tributary_curate/__init__.py': '',
    'tributary_curate/flatten.py': 'def flatten(): ...\n',
  });
});

it("zips a package's data files with its modules: the manifest's JSON Schema ships with the job", async () => {
  // Prepare: a package with a data file, and a stray JSON file at the top level
  const withData = mkdtempSync(join(tmpdir(), 'glue-scripts-data-'));
  mkdirSync(join(withData, 'tributary_curate'));
  writeFileSync(join(withData, 'curate.py'), 'print("curate")\n');
  writeFileSync(join(withData, 'tributary_curate/manifests.py'), 'SCHEMA_FILE = "manifest.schema.json"\n');
  writeFileSync(join(withData, 'tributary_curate/manifest.schema.json'), '{"type": "object"}\n');
  writeFileSync(join(withData, 'package.json'), '{}\n');
  const dataBucket = 'sfn-test-glue-scripts-data';
  await s3.send(
    new CreateBucketCommand({
      Bucket: dataBucket,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
    }),
  );

  // Act
  const keys = await plugin.uploadGlueScripts({ s3, bucket: dataBucket, dir: withData });

  // Assess: the schema is inside the package zip, next to the module that reads it; nothing else uploaded
  expect(keys).toEqual(['glue-scripts/curate.py', 'glue-scripts/tributary_curate.zip']);
  const zipped = await s3.send(
    new GetObjectCommand({ Bucket: dataBucket, Key: 'glue-scripts/tributary_curate.zip' }),
  );
  expect(await unzip(Buffer.from(await zipped.Body!.transformToByteArray()))).toEqual({
    'tributary_curate/manifest.schema.json': '{"type": "object"}\n',
    'tributary_curate/manifests.py': 'SCHEMA_FILE = "manifest.schema.json"\n',
  });
});

it('finds the real glue-scripts/ entry point and package', () => {
  const files = plugin.jobFiles(join(repoRoot, 'glue-scripts'));
  expect(files).toContain('curate.py');
  expect(files).toContain('tributary_curate/manifest.schema.json');
  expect(files.some((f) => f.startsWith('tributary_curate/'))).toBe(true);
  expect(files.some((f) => f.startsWith('tests/') || f.includes('test_'))).toBe(false);
});

it('runs as the osls command `sls glue-scripts upload`, into the bucket the stack outputs', async () => {
  const { CloudFormationClient, CreateStackCommand } = fromOsls('@aws-sdk/client-cloudformation');
  const target = 'sfn-test-hook-scripts';
  await s3.send(
    new CreateBucketCommand({
      Bucket: target,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' },
    }),
  );
  const cfn = new CloudFormationClient({});
  await cfn.send(
    new CreateStackCommand({
      StackName: 'tributary-hooktest',
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: { GlueScriptsBucketName: { Value: target } },
      }),
    }),
  );

  const { stdout, stderr } = await run(
    join(repoRoot, 'node_modules/.bin/sls'),
    ['glue-scripts', 'upload', '--stage', 'hooktest'],
    {
      cwd: repoRoot,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    },
  );

  const listed = await s3.send(new ListObjectsV2Command({ Bucket: target }));
  const keys = listed.Contents?.map((o) => o.Key).sort();
  expect(keys, stdout + stderr).toEqual(['glue-scripts/curate.py', 'glue-scripts/tributary_curate.zip']);
  expect(stdout + stderr).toContain(`Glue scripts uploaded to s3://${target}/`);
});
