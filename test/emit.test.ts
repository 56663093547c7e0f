import { dump } from 'js-yaml';
import { join } from 'node:path';
import { manifestOf } from '../src/constructs/manifests/stage-objects';
import { loadSpec } from '../src/engine/load';
import { stageContents } from '../src/model/stage-contents';
import { DUMP_OPTIONS, dumpYaml } from '../src/render/emit';

/*
 * The render's YAML writer gives js-yaml's text for any value: plain data it lays out itself, the
 * rest it leaves to js-yaml: on generated values, and on every object of every stage of the examples.
 */

// A small deterministic generator, so that a failure can be run again.
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const PIECES = ['a', 'Z', 'y', 'n', 'yes', 'No', 'on', 'OFF', 'true', 'null', '~', '0', '7', '0o7', '0x1f', '1_0', '1e3', '.5', '.inf', '-', ':',
  ': ', '#', ' #', ' ', '\t', '"', "'", '\\', '/', '.', '@', '=', '+', '_', '*', '&', '!', '%', '|', '>', '{', '[', ',', '?', 'é', '😀',
  '\u2028', '\n', '2024-01-01', '12:30', 'app-1', 'registry.local/app:1.0'];

function string(next: () => number): string {
  let text = '';
  for (let i = Math.floor(next() * 4); i >= 0; i--) text += PIECES[Math.floor(next() * PIECES.length)];
  return next() < 0.05 ? '' : text;
}

function value(next: () => number, depth: number): unknown {
  const kind = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (kind) {
    case 0: case 1: case 2: return string(next);
    case 3: return [0, 1, -1, 3.5, -0, 1e21, 65535, 0.1, Number.NaN, Infinity][Math.floor(next() * 10)];
    case 4: return next() < 0.5;
    case 5: return next() < 0.5 ? null : undefined;
    case 6: case 7: return Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [string(next), value(next, depth + 1)]));
    default: return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  }
}

test('the text is js-yaml\'s for 20000 generated values', () => {
  const next = random(42);
  for (let i = 0; i < 20000; i++) {
    const doc = Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 4) }, () => [string(next), value(next, 0)]));
    expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
  }
});

test('the text is js-yaml\'s for generated strings in a Kubernetes object\'s places', () => {
  const next = random(7);
  for (let i = 0; i < 20000; i++) {
    const name = string(next);
    const doc = { metadata: { name, labels: { [name]: name } }, spec: { args: [name, [name], { [name]: [name] }] } };
    expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
  }
});

test.each([
  [[]], [{}], [null], ['text'], [[1, [2, [3]], {}]], [{ a: undefined }], [{ a: new Date(0) }], [{ a: 'line\nline\n' }], [{ b: -0 }],
])('%j is js-yaml\'s too', (doc) => {
  expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
});

test.each(['canary.yaml', 'examples/routing.yaml', 'examples/config.yaml', 'examples/waves.yaml', 'examples/mesh.yaml', 'examples/blue-green.yaml', 'examples/real-app/canary.yaml', 'examples/stateful/canary.yaml'])('every object of every stage of %s is js-yaml\'s text', (spec) => {
  let objects = 0;
  for (const { spec: app, plan, createsNamespace } of loadSpec(join(__dirname, '..', spec)).apps) {
    for (const stage of plan.stages) {
      for (const object of stageContents(app, createsNamespace, stage)) {
        const doc = manifestOf(app, object);
        expect(dumpYaml(doc)).toBe(dump(doc, DUMP_OPTIONS));
        objects++;
      }
    }
  }
  expect(objects).toBeGreaterThan(10);
});
