import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, statSync, symlinkSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fileHeader, parseHeader } from '../src/io/header';
import { Chart, Testing } from 'cdk8s';
import { CanaryApp } from '../src/constructs/canary-app';
import type { CanaryAppProps } from '../src/constructs/props';
import { parseSpec } from '../src/engine/load';
import { SpecError } from '../src/spec/problems';
import { formatStep, stepsScript, type KubectlStep } from '../src/engine/kubectl-steps';
import { resolveSpec } from '../src/model/resolve';
import { cli, files, NO_PERMISSION_OVERRIDE, preload, PROCESS_TEST_TIMEOUT, run, start, startBin, tempDir, type RunOptions } from './helpers';

let dir: string;
let cwd: string;

beforeEach(() => {
  dir = tempDir('hardening');
  cwd = process.cwd();
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

const BASE = `apps:
  - name: web
    namespace: web
    port: 8080
    stable:
      image: nginxinc/nginx-unprivileged:1.26
    canary:
      image: nginxinc/nginx-unprivileged:1.27
`;

/** The bin as a process in `dir`, with a time limit: a run that spins is a failure, not a hang. */
const runHere = (args: string[], options: RunOptions = {}) => run(args, { cwd: dir, ...options });

describe('a header line cannot be ended by what it holds', () => {
  const injected = 'x\napiVersion: v1\nkind: Namespace\nmetadata: {name: injected}\n#.yaml';

  test('a spec file name with line breaks adds no object and is read back as written', async () => {
    writeFileSync(join(dir, injected), BASE);
    expect((await cli('synth', '-c', injected)).code).toBe(0);
    for (const file of files(join(dir, 'dist'))) {
      const text = readFileSync(join(dir, 'dist', file), 'utf8');
      const kinds = parseAllDocuments(text).map((doc) => (doc.toJS() as { kind?: string } | null)?.kind);
      expect(kinds).not.toContain('Namespace');
      expect(text.split('\n')[2]).toMatch(/^# spec: "/);
      expect(parseHeader(text)?.spec).toBe(`../${injected}`);
    }
    // The next run finds its own files.
    expect((await cli('synth', '-c', injected)).out).toMatch(/0 files written, 6 unchanged/);
  });

  test('every line break a YAML reader knows is escaped; a plain path stays as it is', () => {
    for (const spec of ['a\rb', 'a\u0085b', 'a\u2028b', 'a\u2029b', '"quoted"', 'ünï']) {
      const header = fileHeader({ spec, app: 'web', lines: ['# stage: x\nkind: Namespace'] });
      expect(header.split('\n').slice(0, -2).every((line) => line.startsWith('#'))).toBe(true);
      expect(header).toMatch(/^[\x20-\x7e\n]*$/);
      expect(parseHeader(header)?.spec).toBe(spec);
    }
    expect(fileHeader({ spec: '../specs/a b.yaml', app: 'web', lines: [] })).toContain('# spec: ../specs/a b.yaml\n');
    expect(parseHeader(fileHeader({ spec: '../specs/a b.yaml', app: 'web', lines: [] }))?.spec).toBe('../specs/a b.yaml');
  });

  test('init refuses a file name with a line break and writes nothing', async () => {
    const result = await cli('init', '-c', 'new\nline.yaml');
    expect(result.code).toBe(2);
    expect(result.err).toContain('-c "new\\nline.yaml" holds a control or direction character');
    expect(readdirSync(dir)).toEqual([]);
    // Negative control: an ordinary name is written.
    expect((await cli('init', '-c', 'new line.yaml')).out).toContain("synth -c 'new line.yaml'");
  });

  test('init with a bad option names the option, not a file that was never written', async () => {
    const result = await cli('init', '--name', 'a\nb', '-c', 'web.yaml');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/init wrote nothing: --name is "a\\nb": must be a DNS-1123 label/);
    expect(result.err).not.toMatch(/web\.yaml:\d+/);
    expect(existsSync(join(dir, 'web.yaml'))).toBe(false);
  });
});

describe('printed commands name the path given', () => {
  test('an output folder with a control character is refused, not printed as another path', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    for (const command of [['plan'], ['plan', '--json'], ['synth']]) {
      const result = await cli(...command, '-o', 'out\u001b[2Jx\ny');
      expect(result.code).toBe(2);
      expect(result.err).toContain('holds a control or direction character');
    }
    expect(existsSync(join(dir, 'out\u001b[2Jx\ny'))).toBe(false);
    // Negative control: a path with spaces and quotes is quoted for the shell.
    const plain = await cli('plan', '-o', "my 'dist'");
    expect(plain.code).toBe(0);
    expect(plain.out).toContain(`'my '\\''dist'\\''/web/stages/01-baseline.k8s.yaml'`);
  });
});

describe('the lock', () => {
  const lockPath = () => join(dir, 'dist', '.cdk8s-canary.lock');

  test('two runs, each pid 1 of its own pid namespace on one host, do not both write', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    const unshare = ['unshare', '-pf', '--kill-child', '--mount-proc'];
    // The first run, lock taken, is held until the second has tried.
    const first = await heldRun(['synth'], 'renameSync', 2, () => {
      expect(JSON.parse(readFileSync(lockPath(), 'utf8')).pid).toBe(1);
      const second = runHere(['synth'], { under: unshare });
      expect(second.stderr).toContain('another cdk8s-canary run (pid 1 in another pid namespace) is writing dist');
      expect(second.status).toBe(4);
    }, unshare);
    expect(first.code).toBe(0);
    // Negative control: once the first has finished, the next run goes ahead.
    expect(runHere(['synth'], { under: unshare }).status).toBe(0);
  }, PROCESS_TEST_TIMEOUT);

  test.each([
    ['a folder', () => mkdirSync(lockPath()), 'is a folder'],
    ['a FIFO', () => spawnSync('mkfifo', [lockPath()]), 'is a FIFO'],
    ['a dangling link', () => symlinkSync(join(dir, 'nowhere'), lockPath()), 'is a symbolic link'],
    ['a link to /dev/zero', () => symlinkSync('/dev/zero', lockPath()), 'is a symbolic link'],
    ['a large file', () => writeFileSync(lockPath(), Buffer.alloc(1 << 20)), 'is a file of 1048576 bytes'],
  ])('a lock path that is %s stops the run at once with a message', (_what, make, reason) => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    make();
    const count = join(dir, 'reads');
    const result = runHere(['synth'], { node: preload('count-reads.js'), env: { READS_OUT: count } });
    // At once: neither killed for hanging (on a FIFO) nor reading what is there (1 MiB, or /dev/zero without end).
    expect(result.signal).toBeNull();
    expect(Number(readFileSync(count, 'utf8'))).toBeLessThan(64 * 1024);
    expect(result.status).toBe(5);
    expect(result.stderr).toBe(`cdk8s-canary: nothing was written: ${join(dir, 'dist')}/.cdk8s-canary.lock ${reason}, not a lock this tool wrote; if no cdk8s-canary run is writing dist, remove it\n`);
    expect(existsSync(join(dir, 'dist', 'web'))).toBe(false);
  }, PROCESS_TEST_TIMEOUT);

  test('an unreadable lock stops the run with a message', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(lockPath(), '{"pid": 1}');
    chmodSync(lockPath(), 0o000);
    const result = runHere(['synth'], { under: NO_PERMISSION_OVERRIDE });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(5);
    expect(result.stderr).toContain('.cdk8s-canary.lock is unreadable (EACCES), not a lock this tool wrote');
  }, PROCESS_TEST_TIMEOUT);

  test('a lock\'s host is printed with its control characters escaped', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(lockPath(), JSON.stringify({ pid: 7, host: 'evil\u001b[2J\nhost' }));
    const result = runHere(['synth']);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('(pid 7 on evil\\u001b[2J\\u000ahost)');
    expect(statSync(lockPath()).isFile()).toBe(true);
  }, PROCESS_TEST_TIMEOUT);
});

/**
 * A run of the bin (under `under`, if given) held at the `count`th call of fs.`call` while `during`
 * runs, and let go once it has returned, however long that took.
 */
async function heldRun(args: string[], call: string, count: number, during: () => void, under: string[] = []) {
  const signals = tempDir('held');
  const [held, release] = [join(signals, 'held'), join(signals, 'release')];
  try {
    const { ended } = startBin(args, { cwd: dir, under, node: preload('pause.js'), env: { PAUSE_AT: `${call}:${count}`, PAUSE_SIGNAL: held, PAUSE_UNTIL: release } });
    let exited = false;
    ended.then(() => { exited = true; }, () => { exited = true; });
    try {
      // Until the process is held (or has ended without being held, which the test then reports).
      while (!existsSync(held) && !exited) await new Promise((resolve) => setTimeout(resolve, 10));
      during();
    } finally {
      writeFileSync(release, '');
    }
    const { status, stderr } = await ended;
    return { code: status, stderr };
  } finally {
    rmSync(signals, { recursive: true, force: true });
  }
}

const TWO_APPS = `${BASE}${BASE.replace('apps:\n', '').replace(/web/g, 'api')}`;

describe('a folder swapped for a link during a run', () => {
  let victim: string;
  beforeEach(() => {
    victim = join(dir, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, '01-baseline.k8s.yaml'), 'the victim\'s own file\n');
    writeFileSync(join(victim, 'rollback.k8s.yaml'), 'the victim\'s own file\n');
  });
  const swap = (folder: string) => () => {
    renameSync(join(dir, 'dist', folder), join(dir, 'moved'));
    symlinkSync(victim, join(dir, 'dist', folder));
  };

  test('is not written through', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    expect(runHere(['synth']).status).toBe(0);
    writeFileSync(join(dir, 'canary.yaml'), BASE.replace(':1.27', ':1.28'));
    // The lock is the first file written, the first stage file the second: held before the third.
    const result = await heldRun(['synth'], 'writeFileSync', 3, swap('web/stages'));
    expect(result.stderr).toContain(`${join(dir, 'dist', 'web', 'stages')} became a symbolic link during the run: nothing is written or removed through it`);
    expect(result.code).toBe(1);
    expect(readdirSync(victim).sort()).toEqual(['01-baseline.k8s.yaml', 'rollback.k8s.yaml']);
    expect(readFileSync(join(victim, '01-baseline.k8s.yaml'), 'utf8')).toBe('the victim\'s own file\n');
  }, PROCESS_TEST_TIMEOUT);

  test('is not deleted through', async () => {
    writeFileSync(join(dir, 'canary.yaml'), TWO_APPS);
    expect(runHere(['synth']).status).toBe(0);
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    // The lock's own aside goes first, then api's current file: held there, before its stage files.
    const result = await heldRun(['synth'], 'unlinkSync', 2, swap('api/stages'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('became a symbolic link during the run');
    expect(readdirSync(victim).sort()).toEqual(['01-baseline.k8s.yaml', 'rollback.k8s.yaml']);
    // Negative control: without the swap, api's files go.
    rmSync(join(dir, 'dist', 'api', 'stages'));
    renameSync(join(dir, 'moved'), join(dir, 'dist', 'api', 'stages'));
    expect(runHere(['synth']).stdout).toMatch(/0 files written, 6 unchanged, 5 removed/);
    expect(existsSync(join(dir, 'dist', 'api', 'stages'))).toBe(false);
  }, PROCESS_TEST_TIMEOUT);

  test('a folder moved out of the output folder while a run writes into it gets no more files', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    expect(runHere(['synth']).status).toBe(0);
    writeFileSync(join(dir, 'canary.yaml'), BASE.replace(':1.27', ':1.28'));
    const contents = () => Object.fromEntries(readdirSync(join(dir, 'moved')).map((name) => [name, readFileSync(join(dir, 'moved', name), 'utf8')]));
    let moved: Record<string, string> = {};
    // The lock is the first file written, the first stage file the second; held in the third, the
    // second stage file, whose folder is open: that one file goes on into the folder it was opened in.
    const result = await heldRun(['synth'], 'writeFileSync', 3, () => {
      renameSync(join(dir, 'dist', 'web', 'stages'), join(dir, 'moved'));
      moved = contents();
    });
    // The next file's folder is gone from its path: the run stops, and says to run again.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'dist', 'web', 'stages')} was moved or removed during the run: nothing is written in its place`);
    expect(result.stderr).toContain('run again to finish');
    expect(existsSync(join(dir, 'dist', 'web', 'stages'))).toBe(false);
    const after = contents();
    expect(Object.keys(after)).toEqual(Object.keys(moved));
    expect(Object.keys(after).filter((name) => after[name] !== moved[name])).toEqual(['03-expand.k8s.yaml']);
    // The next run makes the folder again where it belongs and completes it.
    expect(runHere(['synth']).stdout).toMatch(/ 5 files written, 1 unchanged/);
    expect(runHere(['synth', '--check']).status).toBe(0);
  }, PROCESS_TEST_TIMEOUT);

  test('while the folder is read: what the scan saw through the link is not deleted', async () => {
    writeFileSync(join(dir, 'canary.yaml'), TWO_APPS);
    expect(runHere(['synth']).status).toBe(0);
    // The victim holds what looks like api's stage files: the scan, shown them, would remove them.
    for (const name of ['01-baseline.k8s.yaml', 'rollback.k8s.yaml']) cpSync(join(dir, 'dist', 'api', 'stages', name), join(victim, name));
    const before = Object.fromEntries(readdirSync(victim).map((name) => [name, readFileSync(join(victim, name), 'utf8')]));
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    // Listed in order: the output folder, api, api/current, then api/stages, held just before.
    const result = await heldRun(['synth'], 'readdirSync', 4, swap('api/stages'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'dist', 'api', 'stages')} became a symbolic link during the run: nothing is written or removed through it`);
    expect(Object.fromEntries(readdirSync(victim).map((name) => [name, readFileSync(join(victim, name), 'utf8')]))).toEqual(before);
    // Negative control: with the folder put back, api's files go, and the victim's stay.
    rmSync(join(dir, 'dist', 'api', 'stages'));
    renameSync(join(dir, 'moved'), join(dir, 'dist', 'api', 'stages'));
    expect(runHere(['synth']).stdout).toMatch(/0 files written, 6 unchanged, 5 removed/);
    expect(existsSync(join(dir, 'dist', 'api', 'stages'))).toBe(false);
    expect(readdirSync(victim).sort()).toEqual(['01-baseline.k8s.yaml', 'rollback.k8s.yaml']);
  }, PROCESS_TEST_TIMEOUT);
});

describe('only files at the layout\'s own paths are the tool\'s to remove', () => {
  test('a copied app folder and a copy of a stage file beside it survive a synth', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    expect(runHere(['synth']).status).toBe(0);
    cpSync(join(dir, 'dist', 'web'), join(dir, 'dist', 'web-archive-2026'), { recursive: true });
    cpSync(join(dir, 'dist', 'web', 'stages', '02-canary.k8s.yaml'), join(dir, 'dist', 'web', 'stages', '02-canary.backup.k8s.yaml'));
    const result = runHere(['synth']);
    expect(result.stdout).toMatch(/0 files written, 6 unchanged, 0 removed/);
    expect(files(join(dir, 'dist', 'web-archive-2026'))).toHaveLength(6);
    expect(existsSync(join(dir, 'dist', 'web', 'stages', '02-canary.backup.k8s.yaml'))).toBe(true);
    // Negative control: a stage that left the spec is removed from the app's own folder.
    writeFileSync(join(dir, 'canary.yaml'), BASE.replace('    canary:\n', '    stages:\n      - { name: baseline, stableReplicas: 3, canaryReplicas: 0 }\n      - { name: promote, stableReplicas: 0, canaryReplicas: 3 }\n    canary:\n'));
    expect(runHere(['synth']).stdout).toMatch(/removed/);
    expect(existsSync(join(dir, 'dist', 'web', 'stages', '02-canary.k8s.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'dist', 'web', 'stages', '02-canary.backup.k8s.yaml'))).toBe(true);
    expect(files(join(dir, 'dist', 'web-archive-2026'))).toHaveLength(6);
  }, PROCESS_TEST_TIMEOUT);
});

describe('temporary files', () => {
  test('only this tool\'s own temporary names at its own paths are cleaned up', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    expect(runHere(['synth']).status).toBe(0);
    mkdirSync(join(dir, 'dist', 'docs'));
    const keep = ['docs/notes.cdk8s-canary-tmp-keep.txt', 'docs/.01-baseline.k8s.yaml.cdk8s-canary-tmp-12', 'web/stages/.notes.txt.cdk8s-canary-tmp-12', 'web/x.cdk8s-canary-tmp-1'];
    for (const path of keep) writeFileSync(join(dir, 'dist', path), 'mine\n');
    const dead = ['web/stages/.01-baseline.k8s.yaml.cdk8s-canary-tmp-999999', 'web/current/.web.k8s.yaml.cdk8s-canary-tmp-999999', '.cdk8s-canary.lock.cdk8s-canary-tmp-999999'];
    for (const path of dead) writeFileSync(join(dir, 'dist', path), 'half a file');
    // The lock's temporary files are a run's while it takes the lock: only old ones are a dead run's.
    const old = new Date(Date.now() - 31_000);
    utimesSync(join(dir, 'dist', '.cdk8s-canary.lock.cdk8s-canary-tmp-999999'), old, old);
    const fresh = '.cdk8s-canary.lock.stale.cdk8s-canary-tmp-999998';
    writeFileSync(join(dir, 'dist', fresh), '{"pid": 999998}');
    expect(runHere(['synth']).status).toBe(0);
    for (const path of [...keep, fresh]) expect(existsSync(join(dir, 'dist', path))).toBe(true);
    for (const path of keep) expect(readFileSync(join(dir, 'dist', path), 'utf8')).toBe('mine\n');
    for (const path of dead) expect(existsSync(join(dir, 'dist', path))).toBe(false);
  }, PROCESS_TEST_TIMEOUT);

  test('a run taking the lock keeps its lock file aside: the run holding the lock leaves it alone', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    const aside = () => readdirSync(join(dir, 'dist')).filter((name) => name.startsWith('.cdk8s-canary.lock.'));
    let found: string[] = [];
    // The held run has written its lock aside and not yet linked it into place; another takes the lock meanwhile.
    const waiting = await heldRun(['synth'], 'linkSync', 1, () => {
      found = aside();
      expect(runHere(['synth']).status).toBe(0);
      expect(aside()).toEqual(found);
    });
    expect(found).toHaveLength(1);
    expect(waiting).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(join(dir, 'dist')).filter((name) => name.startsWith('.cdk8s-canary'))).toEqual([]);
  }, PROCESS_TEST_TIMEOUT);

  test('a left-over lock file gone before the run removes it stops nothing', async () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    expect(runHere(['synth']).status).toBe(0);
    const leftOver = join(dir, 'dist', '.cdk8s-canary.lock.cdk8s-canary-tmp-999999');
    writeFileSync(leftOver, '{"pid": 999999}');
    const old = new Date(Date.now() - 31_000);
    utimesSync(leftOver, old, old);
    // The lock's own aside goes first; the second removal is the left-over file's, which is gone by then.
    expect(await heldRun(['synth'], 'unlinkSync', 2, () => rmSync(leftOver))).toEqual({ code: 0, stderr: '' });
  }, PROCESS_TEST_TIMEOUT);
});

const withConfig = (path: string) => BASE.replace('    canary:\n', `      config:\n        mountPath: /etc/app\n        files:\n          app.conf: { path: ${JSON.stringify(path)} }\n    canary:\n`);

describe('config files are read only from inside the spec\'s folder', () => {
  test('a folder on the way swapped for a link to an outside folder is never read through', async () => {
    const project = join(dir, 'spec');
    const outside = join(dir, 'outside');
    mkdirSync(join(project, 'sub'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(project, 'sub', 'app.conf'), 'inside\n');
    writeFileSync(join(outside, 'app.conf'), 'SECRET\n');
    symlinkSync(outside, join(project, 'link'));
    const text = withConfig('sub/app.conf');
    // Another process swaps spec/sub between the folder and a link to the outside folder.
    const racer = start(['python3', '-c', `
import os
os.chdir(${JSON.stringify(project)})
print('racing', flush=True)
while True:
    os.rename('sub', 'real'); os.rename('link', 'sub'); os.rename('sub', 'link'); os.rename('real', 'sub')
`]);
    const seen = new Set<string>();
    try {
      // From the moment it races, however long it took to start.
      await new Promise((resolve, reject) => {
        racer.child.stdout!.once('data', resolve);
        racer.ended.then(reject, reject);
      });
      for (let i = 0; i < 1500; i++) {
        try {
          const files = parseSpec(text, join(project, 'canary.yaml')).apps[0].spec.stable.config!.files;
          seen.add(files['app.conf']);
        } catch (error) {
          if (!(error instanceof SpecError)) throw error;
          seen.add(error.problems[0].message.replace(/\(.*\)|\/\S*/g, ''));
        }
      }
    } finally {
      racer.child.kill();
    }
    expect([...seen].filter((each) => each.includes('SECRET'))).toEqual([]);
    // Negative control: the run did read the file from inside.
    expect(seen.has('inside\n')).toBe(true);
  }, PROCESS_TEST_TIMEOUT);

  test('a spec in / reads config files below it', () => {
    writeFileSync(join(dir, 'app.conf'), 'x = 1\n');
    const loaded = parseSpec(withConfig(join(dir, 'app.conf').slice(1)), '/canary.yaml');
    expect(loaded.apps[0].spec.stable.config!.files['app.conf']).toBe('x = 1\n');
    // Negative control: a link out of the spec's folder is still refused.
    symlinkSync('/etc/hostname', join(dir, 'host'));
    expect(() => parseSpec(withConfig('host'), join(dir, 'canary.yaml'))).toThrow(/must name a file inside the spec's folder/);
  });
});

describe('validation sees everything rendering would trip on', () => {
  const withEnv = (env: string) => BASE.replace('    canary:\n', `      env:\n${env}    canary:\n`);
  const api = BASE.replace('apps:\n', '').replace(/web/g, 'api');

  test('an env value of 3 MB stops the run with its field before any app is written', async () => {
    writeFileSync(join(dir, 'canary.yaml'), `apps:\n${api}${withEnv(`        BIG: "${'x'.repeat(3_000_000)}"\n`).replace('apps:\n', '')}`);
    const result = await cli('synth');
    expect(result.code).toBe(1);
    expect(result.err).toBe('canary.yaml:15:9: "apps[1].stable.env.BIG" is a string of 3000000 characters: at most 1048576 (1 MiB) fit in a Kubernetes object');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  test('a track\'s env of over 1 MiB in all is refused at its field', () => {
    const values = Array.from({ length: 3 }, (_, i) => `        V${i}: "${'x'.repeat(400_000)}"\n`).join('');
    expect(() => parseSpec(withEnv(values), join(dir, 'canary.yaml'))).toThrow(/"apps\[0\]\.stable\.env" comes to 1200006 bytes: at most 1048576/);
  });

  test('values that look like YAML or numbers, and keys named after Object.prototype members, render as given', async () => {
    const spec = withEnv('        A: "a\\n  replicas: 987654321"\n        constructor: "987654320"\n        toString: x\n')
      .replace('    port: 8080\n', '    port: 8080\n    appLabel: "987654320"\n')
      .replace('    canary:\n', '      config:\n        mountPath: /etc/app\n        files:\n          constructor: { content: "p" }\n          hasOwnProperty: { content: "h" }\n    canary:\n');
    writeFileSync(join(dir, 'canary.yaml'), spec);
    expect((await cli('synth')).code).toBe(0);
    const docs = parseAllDocuments(readFileSync(join(dir, 'dist', 'web', 'stages', '03-expand.k8s.yaml'), 'utf8')).map((doc) => doc.toJS() as Record<string, any>);
    const stable = docs.find((doc) => doc.kind === 'Deployment' && doc.metadata.name === 'web-stable')!;
    expect(stable.spec.replicas).toBe(3);
    expect(stable.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'A', value: 'a\n  replicas: 987654321' }, { name: 'constructor', value: '987654320' }, { name: 'toString', value: 'x' },
    ]));
    expect(stable.spec.selector.matchLabels.app).toBe('987654320');
    const config = docs.find((doc) => doc.kind === 'ConfigMap')!;
    expect(Object.entries(config.data)).toEqual([['constructor', 'p'], ['hasOwnProperty', 'h']]);
  });

  test('a config file or env named __proto__ is refused at its field, on both roads, before anything is written', async () => {
    const api = BASE.replace('apps:\n', '').replace(/web/g, 'api');
    const web = BASE.replace('apps:\n', '').replace('    canary:\n', '      config:\n        mountPath: /etc/app\n        files:\n          __proto__: { content: "p" }\n    canary:\n');
    writeFileSync(join(dir, 'canary.yaml'), `apps:\n${api}${web}`);
    const result = await cli('synth');
    expect(result.code).toBe(1);
    expect(result.err).toBe('canary.yaml:17:11: "apps[1].stable.config.files.__proto__" is a name JavaScript tools cannot hold as a key (it drops or misreads it): give another name');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('keys named after Object.prototype members', () => {
  const spec = BASE.replace('    canary:\n', '      env: { constructor: a, toString: b }\n    canary:\n')
    .replace(/(\n    canary:\n.*\n)$/, '$1      env: { valueOf: c, hasOwnProperty: d }\n');

  test('plan, plan --json and synth --plan show the difference between tracks', async () => {
    writeFileSync(join(dir, 'canary.yaml'), spec);
    const diff = ['env constructor: removed (stable "a")', 'env hasOwnProperty: added "d"', 'env toString: removed (stable "b")', 'env valueOf: added "c"'];
    const text = await cli('plan');
    expect(text.code).toBe(0);
    for (const line of diff) expect(text.out).toContain(line);
    const json = await cli('plan', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).apps[0].configDiff).toEqual(diff);
    const synth = await cli('synth', '--plan');
    expect(synth.err).toBe('');
    expect(synth.code).toBe(0);
    expect(synth.out).toContain(diff[0]);
  });

  test('commands and options named after them are unknown, not crashes', async () => {
    for (const args of [['constructor'], ['toString', '-c', 'x'], ['synth', '--constructor'], ['plan', '--__proto__']]) {
      const result = await cli(...args);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/^cdk8s-canary: unknown (command|option) /);
    }
  });
});

describe('numbers JSON cannot hold', () => {
  test.each([['replicas: .nan', 'is NaN: must be a whole number'], ['replicas: .inf', 'is Infinity: must be a whole number'], ['replicas: -.inf', 'is -Infinity: must be a whole number']])('%s is shown as it is', (line, message) => {
    expect(() => parseSpec(BASE.replace('      image: nginxinc/nginx-unprivileged:1.26\n', `      image: nginxinc/nginx-unprivileged:1.26\n      ${line}\n`), join(dir, 'canary.yaml')))
      .toThrow(`"apps[0].stable.replicas" ${message}`);
  });
});

describe('the library road', () => {
  const props = (): CanaryAppProps => ({ namespace: 'web', port: 8080, stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' } });
  function refusal(input: unknown): string {
    const chart = new Chart(Testing.app(), 'test');
    try {
      new CanaryApp(chart, 'web', input as CanaryAppProps);
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  }

  test('a BigInt, an object holding itself, a Map and NaN are SpecErrors naming the field', () => {
    expect(refusal({ ...props(), stable: { image: 'web:1.0', replicas: BigInt(3) } })).toBe('CanaryApp "web": "stable.replicas" is 3n: must be a number, not a BigInt');
    const cyclic: Record<string, unknown> = { ...props() };
    cyclic.stable = { image: 'web:1.0', env: { A: 'a' } };
    (cyclic.stable as Record<string, unknown>).self = cyclic.stable;
    expect(refusal(cyclic)).toBe('CanaryApp "web": "stable.self" holds the object it is in: give plain data');
    expect(refusal({ ...props(), stable: { image: 'web:1.0', env: new Map([['A', 'a']]) } })).toBe('CanaryApp "web": "stable.env" is a Map: must be a plain object, whose keys are its fields');
    expect(refusal({ ...props(), port: NaN })).toBe('CanaryApp "web": "port" is NaN: must be a whole number');
  });

  test('a config file named __proto__ is a SpecError naming the field, not a dropped key', () => {
    const files = JSON.parse('{"__proto__": {"content": "p"}}') as Record<string, { content: string }>;
    expect(refusal({ ...props(), stable: { image: 'web:1.0', config: { mountPath: '/etc/app', files } } }))
      .toBe('CanaryApp "web": "stable.config.files.__proto__" is a name JavaScript tools cannot hold as a key (it drops or misreads it): give another name');
    // Negative control: plain props are accepted.
    expect(() => new CanaryApp(new Chart(Testing.app(), 'other'), 'web', props())).not.toThrow();
  });
});

describe('URLs in the spec', () => {
  const withUrl = (url: string) => BASE.replace('    canary:\n', '    canary:\n').replace(/$/, `    verify:\n      prometheus:\n        url: ${JSON.stringify(url)}\n        queries:\n          - { name: errors, query: "sum(x)", max: 1 }\n`);

  test.each([
    ['http://user:s3cret@prometheus.monitoring.svc:9090', '"http://user:***@prometheus.monitoring.svc:9090"'],
    ['http://prometheus\u0001.svc:9090', '"http://prometheus\\u0001.svc:9090"'],
    ['http://prometheus.svc:9090/a\u001b[2Jb', '"http://prometheus.svc:9090/a\\u001b[2Jb"'],
  ])('%j is refused, shown without its password or raw control bytes', (url, shown) => {
    let message = '';
    try {
      parseSpec(withUrl(url), join(dir, 'canary.yaml'));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`"apps[0].verify.prometheus.url" is ${shown}: must be an http:// or https:// URL of printable characters without a user or password`);
    expect(message).not.toContain('s3cret');
  });

  test('ordinary URLs pass', () => {
    for (const url of ['http://prometheus.monitoring.svc:9090', 'https://[::1]:9090/prom/api', 'http://10.0.0.1/x?y=1']) {
      expect(() => parseSpec(withUrl(url), join(dir, 'canary.yaml'))).not.toThrow();
    }
  });
});

describe('finish', () => {
  const promoted = (stable: string, canary = '    canary:\n      image: nginxinc/nginx-unprivileged:1.27\n') =>
    `apps:\n  - name: web\n    namespace: web\n    port: 8080\n${stable}${canary}    stage: promote\n`;

  test('images written as block scalars are replaced in place', async () => {
    writeFileSync(join(dir, 'canary.yaml'), promoted('    stable:\n      image: >-\n        nginxinc/nginx-unprivileged:1.26\n', '    canary:\n      image: |-\n        nginxinc/nginx-unprivileged:1.27\n'));
    const result = await cli('finish', 'web');
    expect(result.err).toBe('');
    expect(readFileSync(join(dir, 'canary.yaml'), 'utf8')).toBe(promoted('    stable:\n      image: nginxinc/nginx-unprivileged:1.27\n', '    canary:\n      image: |-\n        nginxinc/nginx-unprivileged:1.27\n').replace('promote', 'baseline'));
  });

  test('a flow stable map whose first key is env loses env when the canary has none', async () => {
    writeFileSync(join(dir, 'canary.yaml'), promoted('    stable: {env: {A: "1"}, image: "nginxinc/nginx-unprivileged:1.26"}\n'));
    expect((await cli('finish', 'web')).code).toBe(0);
    expect(readFileSync(join(dir, 'canary.yaml'), 'utf8')).toContain('    stable: {image: "nginxinc/nginx-unprivileged:1.27"}\n');
  });

  test('an unknown app gets a suggestion', async () => {
    writeFileSync(join(dir, 'canary.yaml'), promoted('    stable:\n      image: nginxinc/nginx-unprivileged:1.26\n'));
    const result = await cli('finish', 'wbe');
    // As for plan and verify: a bad command line, with the closest name.
    expect(result.code).toBe(2);
    expect(result.err).toContain('cdk8s-canary: unknown app wbe: did you mean web?');
  });

  test('a spec of mode 6644 owned by another user keeps its mode and owner', async () => {
    const spec = join(dir, 'canary.yaml');
    writeFileSync(spec, promoted('    stable:\n      image: nginxinc/nginx-unprivileged:1.26\n'));
    const { chownSync } = await import('node:fs');
    chownSync(spec, 1000, 1000);
    chmodSync(spec, 0o6644);
    expect((await cli('finish', 'web')).code).toBe(0);
    const stats = statSync(spec);
    expect([stats.mode & 0o7777, stats.uid, stats.gid]).toEqual([0o6644, 1000, 1000]);
  });

  test('an edit saved while finish runs is kept, and finish says so', async () => {
    const spec = join(dir, 'canary.yaml');
    writeFileSync(spec, promoted('    stable:\n      image: nginxinc/nginx-unprivileged:1.26\n'));
    const edited = `${readFileSync(spec, 'utf8')}# saved meanwhile\n`;
    // Held as it writes its new text aside, before the rename.
    const result = await heldRun(['finish', 'web'], 'writeFileSync', 1, () => writeFileSync(spec, edited));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('cdk8s-canary: canary.yaml changed while it was being edited; nothing was written: run the command again\n');
    expect(readFileSync(spec, 'utf8')).toBe(edited);
    expect(readdirSync(dir)).toEqual(['canary.yaml']);
    // Negative control: run again, it finishes.
    expect(runHere(['finish', 'web']).status).toBe(0);
  }, PROCESS_TEST_TIMEOUT);
});

describe('aliases', () => {
  const app = (i: number, image: string) => `  - name: app-${i}\n    namespace: ns\n    stable: { image: ${image} }\n    canary: { image: ${image} }\n`;

  test('a spec of 102 apps sharing one image through an anchor is read', () => {
    const text = `apps:\n${app(0, '&img nginx:1.27').replace('canary: { image: &img nginx:1.27 }', 'canary: { image: *img }')}${Array.from({ length: 101 }, (_, i) => app(i + 1, '*img')).join('')}`;
    const loaded = parseSpec(text, join(dir, 'canary.yaml'));
    expect(loaded.apps).toHaveLength(102);
    expect(loaded.apps[101].spec.canary.image).toBe('nginx:1.27');
  });

  test("a YAML bomb is refused in the tool's words, with its line", () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `x:\n${levels.map((line) => `  ${line}`).join('\n')}\napps: []\n`;
    let message = '';
    try {
      parseSpec(text, 'bomb.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^bomb\.yaml:3:10: its aliases \(\*name\) expand to more than 10000 values in all/);
    expect(message).not.toContain('resource exhaustion');
  });
});

describe('kube- namespaces are the cluster\'s', () => {
  const inNamespace = (namespace: string, create = false) => BASE.replace('namespace: web', `namespace: ${namespace}${create ? '\n    createNamespace: true' : ''}`);

  test.each(['kube-system', 'kube-flannel'])('%s is never created or labelled', (namespace) => {
    expect(() => parseSpec(inNamespace(namespace, true), join(dir, 'canary.yaml')))
      .toThrow(`"apps[0].createNamespace" is true: "${namespace}" is a system namespace, never created or relabelled here; set createNamespace: false`);
  });

  test('an app in a kube- namespace is warned about; one in its own is not', () => {
    expect(parseSpec(inNamespace('kube-system'), join(dir, 'canary.yaml')).warnings).toEqual([
      `${join(dir, 'canary.yaml')}:3:5: "apps[0].namespace" is "kube-system": a kube- namespace is the cluster's own (its system components and add-ons); give the app a namespace of its own`,
    ]);
    expect(parseSpec(inNamespace('kubernetes-apps', true), join(dir, 'canary.yaml')).warnings).toEqual([]);
  });
});

test('an output folder that cannot be made stops the run at once', () => {
  writeFileSync(join(dir, 'canary.yaml'), BASE);
  const result = runHere(['synth', '-o', '/proc/self/fdx']);
  expect(result.signal).toBeNull();
  expect(result.status).toBe(1);
  expect(result.stderr).toBe('cdk8s-canary: cannot make the output folder /proc/self/fdx: /proc/self/fdx cannot be made (ENOENT)\n');
}, PROCESS_TEST_TIMEOUT);

test('of other specs\' generated files only the header is read', () => {
  writeFileSync(join(dir, 'canary.yaml'), BASE);
  mkdirSync(join(dir, 'dist', 'big', 'stages'), { recursive: true });
  const header = fileHeader({ spec: '../other.yaml', app: 'big', lines: ['# stage: baseline'] });
  writeFileSync(join(dir, 'dist', 'big', 'stages', '01-baseline.k8s.yaml'), `${header}data: "${'x'.repeat(8 * 1024 * 1024)}"\n`);
  const count = join(dir, 'reads');
  const result = runHere(['synth'], { env: { READS_OUT: count, NODE_OPTIONS: `--require ${join(__dirname, 'fixtures', 'count-reads.js')}` } });
  expect(result.status).toBe(0);
  expect(Number(readFileSync(count, 'utf8'))).toBeLessThan(1024 * 1024);
}, PROCESS_TEST_TIMEOUT);

test('an app that cannot be rendered is named', async () => {
  const { renderNamed } = await import('../src/render/synth');
  const [app] = parseSpec(BASE, join(dir, 'canary.yaml')).apps;
  const broken = { ...app, spec: { ...app.spec, stable: undefined } } as unknown as typeof app;
  expect(() => renderNamed(broken, undefined)).toThrow(/^app web could not be rendered: /);
  // Negative control.
  expect(renderNamed(app, undefined)).toHaveLength(6);
});

test('a link at the lock\'s temporary name is not written through', () => {
  writeFileSync(join(dir, 'canary.yaml'), BASE);
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'victim'), 'keep\n');
  // The next process's pid is not known ahead: links for a range of pids after this one's.
  for (let pid = process.pid + 1; pid < process.pid + 400; pid++) symlinkSync(join(dir, 'victim'), join(dir, 'dist', `.cdk8s-canary.lock.cdk8s-canary-tmp-${pid}`));
  const result = runHere(['synth']);
  expect(result.status).toBe(0);
  expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('keep\n');
}, PROCESS_TEST_TIMEOUT);

test('a smoke path with a control character is refused in the spec; a percent-encoded one passes', () => {
  const withPath = (path: string) => `${BASE}    verify:\n      smoke: { path: ${JSON.stringify(path)} }\n`;
  expect(() => parseSpec(withPath('/health\u001b[2J'), join(dir, 'canary.yaml')))
    .toThrow('"apps[0].verify.smoke.path" is "/health\\u001b[2J": must be a path starting with "/", of printable ASCII without spaces');
  expect(() => parseSpec(withPath('/h%C3%A9?x=1'), join(dir, 'canary.yaml'))).not.toThrow();
});

describe('names that reach a printed command', () => {
  test('every kubectl step keeps a hostile name as one word: pasted into a shell, nothing it holds runs', () => {
    const dir = tempDir('shell');
    try {
      const hostile = "x$(touch one)`touch two`;touch three'\"$HOME";
      const steps: KubectlStep[] = [
        { verb: 'apply', purpose: 'grow', file: `${hostile}.yaml`, selector: hostile },
        { verb: 'wait', deployment: hostile },
        { verb: 'wait', deployment: hostile, readyAtLeast: 2 },
        { verb: 'delete', kinds: ['deployment', 'poddisruptionbudget'], name: hostile },
        { verb: 'gate', job: hostile, timeoutSeconds: 60, rollback: [{ verb: 'apply', purpose: 'all', file: hostile }] },
        { verb: 'endpoints', service: hostile, pods: hostile, count: 1, lane: 'stable', before: 'traffic', message: 'x' },
        { verb: 'route', check: { condition: 'Reconciled', resource: hostile } },
      ];
      // kubectl stands in as a function that records its words, one per line, and answers a count, a
      // route's generations, a ready endpoint, or a Job's conditions.
      const kubectl = `kubectl() { printf '%s\\n' "$@" >> words; case "$*" in *readyReplicas*) echo 5;; *generation*) echo 1/1/True;; *endpointslices*) echo 'true/Complete ';; *) echo 'Complete ';; esac; }\n`;
      for (const step of steps) {
        const ran = spawnSync('bash', ['-c', `${kubectl}${formatStep(step, hostile)}\n`], { cwd: dir, encoding: 'utf8' });
        expect(ran.status).toBe(0);
      }
      // The same steps as a script, under comments that name them, a line break in the name too.
      const script = stepsScript(`moves ${hostile}\ntouch four`, steps.map((step) => ({ ...step, ...('deployment' in step ? { deployment: `${hostile}\ntouch five` } : {}) })), hostile);
      expect(spawnSync('sh', ['-n'], { input: script }).status).toBe(0);
      expect(spawnSync('bash', ['-c', `${kubectl}${script}`], { cwd: dir, encoding: 'utf8' }).status).toBe(0);
      expect(readdirSync(dir)).toEqual(['words']);
      const words = readFileSync(join(dir, 'words'), 'utf8').split('\n');
      expect(words).toContain(hostile);
      expect(words).toContain(`deployment/${hostile}`);
      expect(words).toContain(`job/${hostile}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a from file\'s Service whose name Kubernetes would refuse is refused, before it reaches a file or a command', () => {
    const dir = tempDir('svcname');
    try {
      writeFileSync(join(dir, 'web.yaml'), [
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec: { securityContext: { runAsUser: 1000 }, containers: [{ name: web, image: "web:1", ports: [{ containerPort: 8080 }] }] }\n',
        'apiVersion: v1\nkind: Service\nmetadata: { name: "svc$(touch PWNED)" }\nspec: { selector: { app: web }, ports: [{ port: 80 }] }\n',
      ].join('---\n'));
      expect(() => resolveSpec({ apps: [{ name: 'web', namespace: 'web', from: 'web.yaml', canary: { image: 'web:2' } }] }, dir))
        .toThrow('"apps[0].from" names the Service "svc$(touch PWNED)", which is no Service name Kubernetes takes (a DNS-1035 label: at most 63 lowercase letters, digits and "-", starting with a letter); give service.name');
      // Named in the spec instead, it is the spec's.
      const [app] = resolveSpec({ apps: [{ name: 'web', namespace: 'web', from: 'web.yaml', service: { name: 'web' }, canary: { image: 'web:2' } }] }, dir).apps;
      expect(app.spec.service.name).toBe('web');
      expect(readdirSync(dir)).toEqual(['web.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the gate step', () => {
  /** Runs a gate step with kubectl standing in: `conditions` are the Job's true conditions it answers; what kubectl was asked, in order. */
  function gate(conditions: string) {
    const dir = tempDir('gate');
    try {
      const step: KubectlStep = { verb: 'gate', job: 'web-verify', timeoutSeconds: 60, rollback: [{ verb: 'apply', purpose: 'all', file: 'rollback.yaml' }] };
      const script = `kubectl() { echo "$1" >> asked; case "$1" in get) echo '${conditions}';; esac; }\n${formatStep(step, 'web')}\n`;
      const ran = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      return { status: ran.status, asked: readFileSync(join(dir, 'asked'), 'utf8').trim().split('\n') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a failed Job rolls back at once: its logs, then the rollback, and the step fails', () => {
    // Before, the step waited for condition=complete, which a failed Job never meets, until its timeout.
    expect(gate('FailureTarget Failed ')).toEqual({ status: 1, asked: ['get', 'logs', 'apply'] });
  });

  test('a completed Job lets the release go on, and nothing is rolled back', () => {
    expect(gate('SuccessCriteriaMet Complete ')).toEqual({ status: 0, asked: ['get'] });
  });
});
