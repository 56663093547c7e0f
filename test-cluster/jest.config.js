/**
 * The tests on a real control plane (npm run test:cluster): the global setup starts one with
 * scripts/cluster.sh (or uses the one CDK8S_CANARY_KUBECONFIG names) and the teardown stops it.
 * Each test file works in namespaces of its own, so the files run side by side: they mostly wait
 * (six at a time, more than the cores: each mostly waits for pods and endpoints).
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test-cluster'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test-cluster/global-setup.js',
  globalTeardown: '<rootDir>/test-cluster/global-teardown.js',
  maxWorkers: 6,
  testTimeout: 20 * 60 * 1000,
};
