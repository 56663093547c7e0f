// Stops the control plane that the global setup started; one that was given is left running.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = async () => {
  if (process.env.CDK8S_CANARY_CLUSTER_STARTED !== '1') return;
  execFileSync('bash', [join(__dirname, '..', 'scripts', 'cluster.sh'), 'stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
};
