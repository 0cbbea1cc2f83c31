/**
 * A local osls plugin: after `sls deploy`, uploads glue-scripts/ to the Glue scripts bucket (the
 * stack output GlueScriptsBucketName), where the curate job finds them:
 *   glue-scripts/curate.py                  the job's entry point (Command.ScriptLocation)
 *   glue-scripts/tributary_curate.zip       its package (--extra-py-files): modules and data files (.json)
 * Tests, caches and dev files are left out. Packaging stays offline: nothing runs before deploy.
 * `sls deploy function` does not run it; `sls glue-scripts upload` (this plugin's command) does,
 * for a script change without a stack update.
 * CommonJS because osls loads plugins with require(); its own AWS SDK v3 clients are reused.
 */
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join, relative, sep } = require('node:path');

const oslsDir = join(require.resolve('osls/package.json'), '..');
const fromOsls = (name) => require(require.resolve(name, { paths: [oslsDir] }));

/** Files under `dir` that belong to the job, as paths relative to `dir` with `/`. */
function jobFiles(dir) {
  const skipDir = new Set([
    'tests',
    'test',
    '__pycache__',
    '.pytest_cache',
    '.ruff_cache',
    'spark-warehouse',
  ]);
  const out = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (!skipDir.has(entry.name) && !entry.name.startsWith('.')) walk(path);
      } else if (at !== dir && entry.name.endsWith('.json')) {
        // A package's data file (tributary_curate/manifest.schema.json, the manifest's contract).
        out.push(relative(dir, path).split(sep).join('/'));
      } else if (
        entry.name.endsWith('.py') &&
        !entry.name.startsWith('test_') &&
        !entry.name.endsWith('_test.py') &&
        entry.name !== 'conftest.py'
      ) {
        out.push(relative(dir, path).split(sep).join('/'));
      }
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The objects to upload: top-level scripts as they are, and each top-level package folder as
 * `<package>.zip` (for --extra-py-files). Returns [{ key, body }].
 */
async function glueScriptObjects(dir, prefix = 'glue-scripts/') {
  const { ZipFile } = fromOsls('yazl');
  const files = jobFiles(dir);
  const objects = [];
  const packages = new Map();
  for (const file of files) {
    const [top, ...rest] = file.split('/');
    if (rest.length === 0) {
      objects.push({ key: `${prefix}${file}`, body: readFileSync(join(dir, file)) });
    } else {
      if (!packages.has(top)) packages.set(top, new ZipFile());
      // A fixed date keeps the zip identical for identical sources.
      packages
        .get(top)
        .addBuffer(readFileSync(join(dir, file)), file, { mtime: new Date('2020-01-01T00:00:00Z') });
    }
  }
  for (const [name, zip] of packages) {
    const chunks = [];
    const done = new Promise((ok, fail) => {
      zip.outputStream.on('data', (c) => chunks.push(c));
      zip.outputStream.on('end', ok);
      zip.outputStream.on('error', fail);
    });
    zip.end();
    await done;
    objects.push({ key: `${prefix}${name}.zip`, body: Buffer.concat(chunks) });
  }
  return objects;
}

/** Puts every object into `bucket` with the given S3 client (SDK v3). */
async function uploadGlueScripts({ s3, bucket, dir, prefix }) {
  const { PutObjectCommand } = fromOsls('@aws-sdk/client-s3');
  const objects = await glueScriptObjects(dir, prefix);
  for (const { key, body } of objects) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }
  return objects.map((o) => o.key);
}

class UploadGlueScriptsPlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log ?? { notice: console.log };
    this.commands = {
      'glue-scripts': {
        commands: {
          upload: { usage: 'Upload glue-scripts/ to the Glue scripts bucket', lifecycleEvents: ['upload'] },
        },
      },
    };
    this.hooks = {
      'after:deploy:deploy': () => this.upload(),
      'glue-scripts:upload:upload': () => this.upload(),
    };
  }

  async upload() {
    const provider = this.serverless.getProvider('aws');
    const { DescribeStacksCommand } = fromOsls('@aws-sdk/client-cloudformation');
    const { S3Client } = fromOsls('@aws-sdk/client-s3');
    const cfn = await provider.getCloudFormationClient();
    const stackName = provider.naming.getStackName();
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'GlueScriptsBucketName');
    if (!output?.OutputValue) {
      throw new this.serverless.classes.Error(
        `stack ${stackName} has no output GlueScriptsBucketName: deploy the stack first`,
      );
    }
    const dir = join(this.serverless.serviceDir, 'glue-scripts');
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new this.serverless.classes.Error(`no glue-scripts/ folder in ${this.serverless.serviceDir}`);
    }
    const s3 = new S3Client(await provider.getAwsSdkV3Config());
    const keys = await uploadGlueScripts({ s3, bucket: output.OutputValue, dir });
    this.log.notice(`Glue scripts uploaded to s3://${output.OutputValue}/: ${keys.join(', ')}`);
  }
}

module.exports = UploadGlueScriptsPlugin;
module.exports.jobFiles = jobFiles;
module.exports.glueScriptObjects = glueScriptObjects;
module.exports.uploadGlueScripts = uploadGlueScripts;
