/**
 * What running the pipeline locally needs, checked up front: each missing piece named with how to
 * get it, instead of a stack trace halfway through.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { paths } from './paths.ts';

export interface MissingPrerequisite {
  what: string;
  fix: string;
}

export function checkPrerequisites(): MissingPrerequisite[] {
  const missing: MissingPrerequisite[] = [];
  const [major] = process.versions.node.split('.').map(Number);
  if ((major ?? 0) < 24) {
    missing.push({
      what: `Node.js ≥ 24 (this is ${process.versions.node})`,
      fix: 'run `make demo` (it bootstraps Node 24 into .tools/), or `source scripts/env.sh` first',
    });
  }
  if (!existsSync(paths.python)) {
    missing.push({
      what: `the Python venv (${paths.python})`,
      fix: 'run `bash scripts/bootstrap.sh` (or `make setup`)',
    });
  }
  const moto = process.env.MOTO_SERVER || paths.motoServer;
  if (!existsSync(moto)) {
    missing.push({
      what: `the moto server, the local AWS emulator (${moto})`,
      fix: 'run `bash scripts/bootstrap.sh` (it installs moto[server] into .venv), or set MOTO_SERVER',
    });
  }
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    missing.push({
      what: 'java (Spark runs on a Java 17 JDK)',
      fix: 'install a Java 17 JDK, e.g. `apt-get install openjdk-17-jdk-headless` or `brew install openjdk@17`',
    });
  }
  const jar = process.env.ICEBERG_JAR || paths.icebergJar;
  if (!existsSync(jar)) {
    missing.push({
      what: `the Iceberg Spark runtime jar (${jar})`,
      fix: 'run `bash scripts/bootstrap.sh` (it fetches it from Maven Central into .tools/jars/), or set ICEBERG_JAR',
    });
  }
  if (!existsSync(paths.curateScript)) {
    missing.push({ what: `the Glue job ${paths.curateScript}`, fix: 'check out the full repository' });
  }
  if (existsSync(paths.python)) {
    const pyspark = spawnSync(paths.python, ['-c', 'import pyspark, boto3'], { encoding: 'utf8' });
    if (pyspark.status !== 0) {
      missing.push({
        what: 'pyspark and boto3 in .venv',
        fix: 'run `bash scripts/bootstrap.sh` (it installs glue-scripts/requirements-dev.txt)',
      });
    }
  }
  return missing;
}
