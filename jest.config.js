/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/fixtures/compare-readers-writers.js'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
};
