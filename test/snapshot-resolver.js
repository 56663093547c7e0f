// Snapshots live in __snapshots__/ at the top of the repo, named after their test file.
const path = require('node:path');

const root = path.join(__dirname, '..');
const snapshots = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, extension) => path.join(snapshots, path.basename(testPath) + extension),
  resolveTestPath: (snapshotPath, extension) => path.join(root, 'test', path.basename(snapshotPath, extension)),
  testPathForConsistencyCheck: path.join(root, 'test', 'example.test.ts'),
};
