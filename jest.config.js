const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  // Two test files at a time at least: most suites spend much of their time waiting for the processes
  // they start (the bin, Prometheus, yamllint), so a second worker uses what the first leaves idle. On
  // 2 cores the whole suite took 134 s with one worker (jest's default there), 87 s with two, 81 s with three.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  // A busy machine (other builds and a control plane beside this run: a load of 15 on 2 cores) makes
  // a test that takes a second when idle take ten or more: jest's default limit of 5 s would fail the
  // machine, not the code. Tests that start processes set test/helpers' PROCESS_TEST_TIMEOUT.
  testTimeout: 120_000,
};
