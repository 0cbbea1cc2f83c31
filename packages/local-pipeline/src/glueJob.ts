/**
 * The Glue job as packaged: its script location and default arguments resolved offline, and the
 * command line a local run of the script gets for one `startJobRun` (defaults, then the run's
 * arguments, then local overrides such as a local `--warehouse`).
 */
import { TemplateError } from './errors.ts';
import { type CloudFormationTemplate, type FakeAwsContext, resolveIntrinsics } from './resolveIntrinsics.ts';

export interface PackagedGlueJob {
  logicalId: string;
  name: string;
  scriptLocation: string;
  defaultArguments: Record<string, string>;
}

export function packagedGlueJob(
  template: CloudFormationTemplate,
  name?: string,
  fake: FakeAwsContext = {},
): PackagedGlueJob {
  const jobs = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Glue::Job')
    .map(([logicalId, r]) => {
      const p = resolveIntrinsics(r.Properties ?? {}, template, fake) as {
        Name?: string;
        Command?: { ScriptLocation?: string };
        DefaultArguments?: Record<string, string>;
      };
      return {
        logicalId,
        name: p.Name ?? logicalId,
        scriptLocation: p.Command?.ScriptLocation ?? '',
        defaultArguments: p.DefaultArguments ?? {},
      };
    });
  const found = name ? jobs.filter((j) => j.name === name || j.logicalId === name) : jobs;
  if (found.length !== 1) {
    throw new TemplateError(
      `${name ? `no Glue job ${name}` : 'expected one Glue job'} in the template; it has: ${
        jobs.map((j) => j.name).join(', ') || 'none'
      }`,
    );
  }
  return found[0]!;
}

/** `['--key', 'value', …]`: defaults, then the run's arguments, then overrides (later wins). */
export function glueArgv(...layers: (Record<string, string> | undefined)[]): string[] {
  const merged: Record<string, string> = {};
  for (const layer of layers) Object.assign(merged, layer ?? {});
  return Object.entries(merged).flatMap(([k, v]) => [k.startsWith('--') ? k : `--${k}`, v]);
}
