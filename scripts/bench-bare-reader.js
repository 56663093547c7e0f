// The reference for a run that changes nothing: a bare Node process that reads and hashes the files
// of a folder (their paths read from a JSON list of { path }), one read and one SHA-256 per file.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const [list, folder] = process.argv.slice(2);
const total = createHash('sha256');
for (const { path } of JSON.parse(readFileSync(list, 'utf8'))) {
  total.update(createHash('sha256').update(readFileSync(join(folder, path))).digest());
}
process.stdout.write(`${total.digest('hex')}\n`);
