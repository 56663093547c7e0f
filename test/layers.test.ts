/**
 * The source tree's layers: each folder of src/ imports only the layers below it (io, then spec,
 * model, constructs, render, engine, cli), and no module imports itself through others. The cli
 * parses and prints: at run time it calls the engine alone, and takes only types from below it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const src = join(__dirname, '..', 'src');
const LAYERS = ['io', 'spec', 'model', 'constructs', 'render', 'engine', 'cli'];

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'imports' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [relative(src, path)] : [];
  });
}

/** The project modules a source file imports, as paths below src/ without extension; `runtime`: not those of `import type`. */
function importsOf(file: string, text: string, runtime = false): string[] {
  return [...text.matchAll(/(import type [^;]*?from\s*|from|import\(|require\()\s*'(\.[^']+)'/g)]
    .filter((match) => !runtime || !match[1].startsWith('import type'))
    .map((match) => normalize(join(dirname(file), match[2])))
    .filter((target) => !target.startsWith('..'));
}

const layerOf = (path: string) => path.split('/')[0];

/** Imports from the cli that load a layer below the engine when they run: `cli/x.ts -> model/y`. */
function cliBypassingEngine(files: readonly { file: string; text: string }[]): string[] {
  return files.filter(({ file }) => layerOf(file) === 'cli').flatMap(({ file, text }) => importsOf(file, text, true)
    .filter((target) => !['cli', 'engine'].includes(layerOf(target)))
    .map((target) => `${file} -> ${target}`));
}

/** Imports from a layer to a higher one: `model/x.ts -> render/y`. */
function climbing(files: readonly { file: string; text: string }[]): string[] {
  const rank = (path: string) => LAYERS.indexOf(path.split('/')[0]);
  return files.flatMap(({ file, text }) => importsOf(file, text)
    .filter((target) => rank(file) >= 0 && rank(target) > rank(file))
    .map((target) => `${file} -> ${target}`));
}

/** Import circles among the modules, each as the path that closes it. */
function circles(files: readonly { file: string; text: string }[]): string[] {
  const edges = new Map(files.map(({ file, text }) => [file.replace(/\.ts$/, ''), importsOf(file, text)]));
  const found: string[] = [];
  const walk = (module: string, path: string[]) => {
    if (path.includes(module)) {
      found.push([...path.slice(path.indexOf(module)), module].join(' -> '));
      return;
    }
    for (const next of edges.get(module) ?? []) walk(next, [...path, module]);
  };
  for (const module of edges.keys()) walk(module, []);
  return [...new Set(found)];
}

const tree = sources(src).map((file) => ({ file, text: readFileSync(join(src, file), 'utf8') }));

test('every file of src/ is in a layer, but the entry points', () => {
  expect(tree.map(({ file }) => file).filter((file) => !LAYERS.includes(file.split('/')[0])).sort())
    .toEqual(['cdk8s-app.ts', 'index.ts']);
});

test('no layer imports a higher one', () => {
  expect(climbing(tree)).toEqual([]);
  // The check sees a climbing import when there is one.
  expect(climbing([{ file: 'model/plan.ts', text: "import { x } from '../render/paths';" }])).toEqual(['model/plan.ts -> render/paths']);
});

test('the cli reaches the layers below the engine for types alone', () => {
  expect(cliBypassingEngine(tree)).toEqual([]);
  // The check sees a runtime import past the engine, and lets a type-only one pass.
  expect(cliBypassingEngine([{ file: 'cli/x.ts', text: "import { loadSpec } from '../model/resolve';" }])).toEqual(['cli/x.ts -> model/resolve']);
  expect(cliBypassingEngine([{ file: 'cli/x.ts', text: "import type { ResolvedApp } from '../model/resolve';\nconst m = await import('../engine/plan');" }])).toEqual([]);
});

test('no import circle', () => {
  expect(circles(tree)).toEqual([]);
  expect(circles([{ file: 'model/a.ts', text: "import { b } from './b';" }, { file: 'model/b.ts', text: "import { a } from './a';" }])).not.toEqual([]);
});
