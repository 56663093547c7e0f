// The reference for synth's writes: a bare Node process that writes the same files (read from a
// JSON list of { path, content }) into a fresh folder, one mkdir per folder, one write per file.
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const [list, out] = process.argv.slice(2);
const made = new Set();
for (const { path, content } of JSON.parse(readFileSync(list, 'utf8'))) {
  const folder = dirname(join(out, path));
  if (!made.has(folder)) mkdirSync(folder, { recursive: true });
  made.add(folder);
  writeFileSync(join(out, path), content);
}
