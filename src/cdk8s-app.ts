/**
 * The app `cdk8s synth` runs (see cdk8s.yaml): `cdk8s-canary synth`, writing into the folder
 * cdk8s-cli names. cdk8s-cli empties that folder first; `cdk8s-canary synth` does not.
 */
import { run } from './cli/main';

const spec = process.env.CDK8S_CANARY_SPEC;
const outdir = process.env.CDK8S_OUTDIR;
run(['synth', ...(spec ? ['-c', spec] : []), ...(outdir ? ['-o', outdir] : [])]);
