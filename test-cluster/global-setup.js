// Starts the control plane unless CDK8S_CANARY_KUBECONFIG names a running one (or one is running
// already: it is used and left running); the workers read its kubeconfig from the same variable,
// and find the cluster's own kubectl (v1.36.3) first on PATH.
const { execFileSync, spawnSync } = require('node:child_process');
const { delimiter, join } = require('node:path');

const script = join(__dirname, '..', 'scripts', 'cluster.sh');
const lastLine = (out) => out.trim().split('\n').pop();

module.exports = async () => {
  const bin = lastLine(execFileSync('bash', [script, 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  process.env.PATH = `${bin}${delimiter}${process.env.PATH}`;
  if (process.env.CDK8S_CANARY_KUBECONFIG) return;
  const status = spawnSync('bash', [script, 'status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (status.status === 0) {
    process.env.CDK8S_CANARY_KUBECONFIG = lastLine(status.stdout);
    return;
  }
  const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.env.CDK8S_CANARY_KUBECONFIG = lastLine(out);
  process.env.CDK8S_CANARY_CLUSTER_STARTED = '1';
};
