/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): the same engine as `cdk8s-canary synth`, writing into
 * the folder cdk8s-cli names. cdk8s-cli empties that folder first; `cdk8s-canary synth` does not.
 */
import { writeOutput } from './output';
import { SpecError } from './spec-error';
import { loadSpec } from './spec-load';
import { synthesize } from './synth';

try {
  const { spec, warnings } = loadSpec(process.env.CDK8S_CANARY_SPEC ?? 'canary.yaml');
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  writeOutput(process.env.CDK8S_OUTDIR ?? 'dist', synthesize(spec));
} catch (error) {
  process.stderr.write(`${error instanceof SpecError ? error.message : `cdk8s-canary: ${(error as Error).message}`}\n`);
  process.exitCode = 1;
}
