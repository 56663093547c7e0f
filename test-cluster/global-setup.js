// Starts the control plane unless CDK8S_CANARY_KUBECONFIG names a running one (or one is running
// already: it is used and left running); the workers read its kubeconfig from the same variable,
// and find the cluster's own kubectl (v1.36.3) first on PATH. The cluster it starts makes new pods
// ready after 1 s (CDK8S_CANARY_READY_DELAY, if set, wins): a test whose outcome depends on how long
// pods take to start sets their delay itself (readyAfter in moves.ts).
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
  const env = { ...process.env, CDK8S_CANARY_READY_DELAY: process.env.CDK8S_CANARY_READY_DELAY ?? '1s' };
  const out = execFileSync('bash', [script, 'start'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  process.env.CDK8S_CANARY_KUBECONFIG = lastLine(out);
  process.env.CDK8S_CANARY_CLUSTER_STARTED = '1';
};
