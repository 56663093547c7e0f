/**
 * The output folder under attack: each case reproduces a way a run could hurt the user's files or
 * print something a terminal or a shell would act on, and checks the exit code, the message, and that
 * the user's files are byte for byte and mode for mode what they were.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  chmodSync, chownSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync,
  symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AppSpec } from '../src/spec/types';

const root = join(__dirname, '..');
const bin = join(root, 'bin', 'cdk8s-canary.js');
let dir: string;
let spec: string;
let out: string;

const app = (name = 'web', extra: Partial<AppSpec> = {}): AppSpec => ({
  name, namespace: 'shop', port: 8080, stable: { image: `${name}:1.0` }, canary: { image: `${name}:1.1` }, ...extra,
});

function writeSpec(apps: AppSpec[], path = spec): string {
  writeFileSync(path, stringify({ apps }));
  return path;
}

function run(args: string[], options: SpawnSyncOptions = {}, command = [process.execPath, bin]) {
  const result = spawnSync(command[0], [...command.slice(1), ...args], {
    // SIGKILL: unshare ignores SIGTERM, and with --kill-child its child dies with it.
    cwd: dir, encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL', ...options, env: { ...process.env, CI: 'true', ...options.env },
  });
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr), signal: result.signal };
}

/** Every file below a folder with its content and mode, without following links. */
function snapshot(folder: string, prefix = ''): Record<string, string> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    const stats = lstatSync(join(folder, path));
    const mode = (stats.mode & 0o7777).toString(8);
    if (entry.isDirectory()) return [[`${path}/`, `${mode} ${stats.gid}`], ...Object.entries(snapshot(folder, path))];
    if (entry.isSymbolicLink()) return [[path, 'link']];
    return [[path, `${mode} ${entry.isFile() ? readFileSync(join(folder, path), 'utf8') : 'special'}`]];
  }));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-attack-'));
  spec = join(dir, 'canary.yaml');
  out = join(dir, 'dist');
  writeSpec([app()]);
});
afterEach(() => {
  if (existsSync(join(dir, 'dist', 'private'))) chmodSync(join(dir, 'dist', 'private'), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe('paths that cannot be meant are refused, exit 2, nothing touched', () => {
  test.each([
    ['the spec itself', () => spec, 'the output folder "SPEC" is not a folder'],
    ['a device', () => '/dev/null', 'the output folder "/dev/null" is not a folder'],
    ['an empty name', () => '', 'the output folder is an empty name: give one, such as dist'],
    ['the filesystem root', () => '/', 'the output folder "/" is the filesystem root'],
    ['the spec\'s own folder', () => '.', 'the output folder "." holds the spec "canary.yaml" itself; generated files need a folder of their own, such as "dist"'],
    ['a folder above the spec', () => '..', 'the output folder ".." holds the spec "canary.yaml" itself'],
  ])('-o %s', (_case, target, message) => {
    const before = snapshot(dir);
    const result = run(['synth', '-c', 'canary.yaml', '-o', target()]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(`cdk8s-canary: ${message.replace('SPEC', spec)}`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a folder above the spec with other specs\' output keeps that output', () => {
    const examples = join(dir, 'examples');
    mkdirSync(examples);
    expect(run(['synth', '-c', writeSpec([app('other')], join(examples, 'other.yaml')), '-o', join(examples, 'dist')]).status).toBe(0);
    const before = snapshot(dir);
    expect(run(['synth', '-c', join(examples, 'other.yaml'), '-o', dir]).status).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('files this tool did not write', () => {
  test('a user\'s file at a generated path stops the run before anything is written; --take-over replaces it', () => {
    mkdirSync(join(out, 'web', 'stages'), { recursive: true });
    writeFileSync(join(out, 'web', 'stages', '02-canary.k8s.yaml'), 'mine\n');
    const before = snapshot(dir);
    const result = run(['synth']);
    expect(result.status).toBe(5);
    expect(result.stderr).toBe(`cdk8s-canary: nothing was written:\n  ${out}/web/stages/02-canary.k8s.yaml is a file this tool did not write (--take-over replaces it)\n`);
    expect(snapshot(dir)).toEqual(before);

    const check = run(['synth', '--check']);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`conflict: ${out}/web/stages/02-canary.k8s.yaml is a file this tool did not write`);

    expect(run(['synth', '--take-over']).status).toBe(0);
    expect(readFileSync(join(out, 'web', 'stages', '02-canary.k8s.yaml'), 'utf8')).toMatch(/^# Generated by cdk8s-canary\./);
  });

  test('a generated file whose marker line was deleted is the user\'s now', () => {
    expect(run(['synth']).status).toBe(0);
    const file = join(out, 'web', 'stages', '02-canary.k8s.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(1).join('\n'));
    writeSpec([app('web', { stable: { image: 'web:1.0', replicas: 4 } })]);
    const before = snapshot(dir);
    const result = run(['synth']);
    expect(result.status).toBe(5);
    expect(result.stderr).toContain(`${file} is a file this tool did not write (--take-over replaces it)`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('two specs share an output folder: neither removes the other\'s files', () => {
    expect(run(['synth']).status).toBe(0);
    const mine = snapshot(out);
    const other = writeSpec([app('other')], join(dir, 'other.yaml'));
    const result = run(['synth', '-c', other]);
    expect(result.stdout).toMatch(/^synth: 1 app, 6 files written, 0 unchanged, 0 removed/);
    expect(Object.entries(snapshot(out)).filter(([path]) => path.startsWith('web'))).toEqual(Object.entries(mine));
    // An app of the same name in another spec is a conflict, not a takeover.
    const clash = writeSpec([app('web')], join(dir, 'clash.yaml'));
    const refused = run(['synth', '-c', clash]);
    expect(refused.status).toBe(5);
    expect(refused.stderr).toContain(`${out}/web/stages/01-baseline.k8s.yaml belongs to ../canary.yaml, another spec (--take-over replaces it)`);
    expect(snapshot(out)).toEqual({ ...snapshot(out), ...mine });
  });
});

describe('links, modes and mount points', () => {
  test('a symlinked folder inside the output stops the run; its target is untouched', () => {
    expect(run(['synth']).status).toBe(0);
    const elsewhere = join(dir, 'elsewhere');
    cpSync(join(out, 'web', 'stages'), elsewhere, { recursive: true });
    rmSync(join(out, 'web', 'stages'), { recursive: true });
    symlinkSync(elsewhere, join(out, 'web', 'stages'));
    writeSpec([app('web', { stable: { image: 'web:1.0', replicas: 4 } })]);
    const before = snapshot(dir);
    const result = run(['synth']);
    expect(result.status).toBe(5);
    expect(result.stderr).toContain(`${out}/web/stages is a symbolic link: files are written only into real folders below the output folder`);
    expect(snapshot(dir)).toEqual(before);
  });

  test('a symlinked output folder is written through and stays a link', () => {
    const target = join(dir, 'target');
    mkdirSync(target);
    symlinkSync(target, out);
    expect(run(['synth']).status).toBe(0);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(target, 'web', 'stages'))).toHaveLength(5);
  });

  test('folders keep their modes, group and special bits; a private folder stays private', () => {
    expect(run(['synth']).status).toBe(0);
    chmodSync(out, 0o2775);
    chownSync(out, 0, 1234);
    mkdirSync(join(out, 'private'));
    writeFileSync(join(out, 'private', 'notes.txt'), 'secret\n');
    chmodSync(join(out, 'private'), 0o700);
    chmodSync(join(out, 'web', 'stages'), 0o750);
    writeSpec([app('web', { stable: { image: 'web:1.0', replicas: 4 } })]);
    const before = snapshot(out);
    expect(run(['synth']).stdout).toMatch(/6 files written/);
    const after = snapshot(out);
    for (const folder of ['private/', 'web/', 'web/stages/', 'private/notes.txt']) expect(after[folder]).toBe(before[folder]);
    expect((statSync(out).mode & 0o7777).toString(8)).toBe('2775');
    expect(statSync(out).gid).toBe(1234);
  });

  test('an output folder that is a mount point works', () => {
    const real = join(dir, 'volume');
    mkdirSync(real);
    mkdirSync(out);
    const result = run([], {}, ['unshare', '-m', 'sh', '-c', `mount --bind "${real}" "${out}" && exec "${process.execPath}" "${bin}" synth`]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readdirSync(join(real, 'web', 'stages'))).toHaveLength(5);
  });

  test('a read-only folder is never replaced: the run stops before writing anything', () => {
    expect(run(['synth']).status).toBe(0);
    chmodSync(join(out, 'web', 'stages'), 0o555);
    writeSpec([app('web', { stable: { image: 'web:1.0', replicas: 4 } })]);
    const before = snapshot(out);
    const noOverride = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search', process.execPath, bin];
    const result = run(['synth'], {}, noOverride);
    expect(result.status).toBe(5);
    expect(result.stderr).toBe(`cdk8s-canary: nothing was written:\n  cannot write into ${out}/web/stages (EACCES): it is read-only to this user\n`);
    expect(snapshot(out)).toEqual(before);
    chmodSync(join(out, 'web', 'stages'), 0o755);
  });

  test('a folder it cannot read stops the run and is named, not dropped', () => {
    expect(run(['synth']).status).toBe(0);
    mkdirSync(join(out, 'private'));
    chmodSync(join(out, 'private'), 0o000);
    writeSpec([app('web', { stable: { image: 'web:1.0', replicas: 4 } })]);
    const before = snapshot(out);
    // As root, permissions bind only without the capabilities that override them.
    const noOverride = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search', process.execPath, bin];
    const result = run(['synth'], {}, noOverride);
    expect(result.status).toBe(5);
    expect(result.stderr).toContain(`cannot read ${out}/private (EACCES): its files could be this spec's; fix its permissions`);
    expect(snapshot(out)).toEqual(before);
  });
});

test('a full disk stops the run with a message; every file stays whole, old or new', () => {
  const bigger = join(dir, 'bigger.yaml');
  writeSpec(Array.from({ length: 30 }, (_, i) => app(i ? `app-${i}` : 'web')), bigger);
  // Rendered from a copy at the same path relative to its output folder: the same spec line and stamps.
  mkdirSync(join(dir, 'copy'));
  const fresh = join(dir, 'copy', 'dist');
  copyFileSync(bigger, join(dir, 'copy', 'canary.yaml'));
  expect(run(['synth', '-c', join(dir, 'copy', 'canary.yaml'), '-o', fresh]).status).toBe(0);
  const [before, after] = [join(dir, 'before'), join(dir, 'after')];
  mkdirSync(out);
  // A 200 KiB tmpfs takes the first output (6 files), not the second (180, 174 of them new).
  const script = [
    `mount -t tmpfs -o size=200k tmpfs "${out}"`,
    `"${process.execPath}" "${bin}" synth > /dev/null`,
    `cp -r "${out}" "${before}"`,
    `cp "${bigger}" "${spec}"`,
    `"${process.execPath}" "${bin}" synth 2> "${dir}/err"; echo $? > "${dir}/code"`,
    `cp -r "${out}" "${after}"`,
  ].join(' && ');
  expect(run([], {}, ['unshare', '-m', 'sh', '-c', script]).status).toBe(0);
  expect(readFileSync(join(dir, 'code'), 'utf8')).toBe('1\n');
  expect(readFileSync(join(dir, 'err'), 'utf8')).toMatch(/^cdk8s-canary: writing stopped after \d+ of 180 files, each whole, old or new; run again to finish: ENOSPC: no space left on device/);
  const old = snapshot(before);
  // What the run would write for canary.yaml, which holds the bigger spec by then.
  const wanted = snapshot(fresh);
  const seen = snapshot(after);
  expect(Object.keys(seen).filter((path) => path.includes('cdk8s-canary-tmp') || path.endsWith('.lock'))).toEqual([]);
  for (const [path, content] of Object.entries(seen)) expect([old[path], wanted[path]]).toContain(content);
});

describe('a lock that works in containers', () => {
  const inNamespace = (env: Record<string, string> = {}, preload: string[] = [], pin?: string) =>
    run([], { env }, ['unshare', pin ? `--pid=${pin}` : '-p', '-f', '--kill-child', '--mount-proc', process.execPath, ...preload, bin, 'synth']);

  test('a run killed as pid 1 of a container leaves a lock the next container run takes over once it is 30 s old', () => {
    writeSpec([app('a'), app('b'), app('c')]);
    // The killed run's pid namespace is kept (bound to a file) while the others run: a container
    // beside a live one never has its namespace's inode. A dead namespace's inode may be handed to a
    // new one; then the lock's holder is gone with its namespace, and the new pid 1 takes the lock at
    // once (the next test).
    const pin = join(dir, 'pid-namespace');
    writeFileSync(pin, '');
    try {
      const killed = inNamespace({ CRASH_AT: 'renameSync:3' }, ['--require', join(__dirname, 'fixtures', 'crash.js')], pin);
      expect(killed.status).toBe(137);
      const path = join(out, '.cdk8s-canary.lock');
      const lock = JSON.parse(readFileSync(path, 'utf8'));
      expect(lock).toEqual({
        pid: 1, start: expect.stringMatching(/^\d+$/), boot: expect.stringMatching(/^[0-9a-f-]{36}$/), pidns: `pid:[${statSync(pin).ino}]`, host: expect.any(String),
      });
      // Pid 1 of another pid namespace on this host is not this run: it could be alive, in a container
      // beside this one. Only its lock's age tells.
      const refused = inNamespace();
      expect(refused.status).toBe(4);
      expect(refused.stderr).toContain('another cdk8s-canary run (pid 1 in another pid namespace) is writing');
      const old = new Date(Date.now() - 31_000);
      utimesSync(path, old, old);

      const next = inNamespace();
      expect(next.stderr).toBe('');
      expect(next.status).toBe(0);
      expect(existsSync(join(out, '.cdk8s-canary.lock'))).toBe(false);
      expect(run(['synth', '--check']).status).toBe(0);
    } finally {
      spawnSync('umount', [pin]);
    }
  });

  test('a lock naming pid 1 of the pid namespace a run is in is a dead one\'s, taken over at once', () => {
    writeSpec([app('a')]);
    // What a run finds when its container's namespace got the inode of a dead container's: the lock's
    // holder was pid 1 there, and this run is pid 1 here.
    const script = `mkdir -p "${out}" && printf '{"pid":1,"pidns":"%s","host":"%s"}' "$(readlink /proc/self/ns/pid)" "$(hostname)" > "${out}/.cdk8s-canary.lock" && exec "${process.execPath}" "${bin}" synth`;
    const taken = run([], {}, ['unshare', '-pf', '--kill-child', '--mount-proc', 'sh', '-c', script]);
    expect(taken.stderr).toBe('');
    expect(taken.status).toBe(0);
    expect(existsSync(join(out, '.cdk8s-canary.lock'))).toBe(false);
  });
});

test('a run killed in a container with its own host name is taken over once its lock is 30 s old', () => {
  const container = (name: string, env: Record<string, string> = {}, preload: string[] = []) => run([], { env }, [
    'unshare', '-pfu', '--kill-child', '--mount-proc', 'sh', '-c', `hostname ${name} && exec "${process.execPath}" ${preload.join(' ')} "${bin}" synth`,
  ]);
  writeSpec([app('a'), app('b'), app('c')]);
  expect(container('build-1', { CRASH_AT: 'renameSync:3' }, ['--require', join(__dirname, 'fixtures', 'crash.js')]).status).toBe(137);
  const lock = join(out, '.cdk8s-canary.lock');
  expect(JSON.parse(readFileSync(lock, 'utf8')).host).toBe('build-1');
  // Another container cannot see whether build-1's run lives; it waits for the lock to go stale.
  const refused = container('build-2');
  expect(refused.status).toBe(4);
  expect(refused.stderr).toContain('another cdk8s-canary run (pid 1 on build-1) is writing');
  const old = new Date(Date.now() - 31_000);
  utimesSync(lock, old, old);
  expect(container('build-2').status).toBe(0);
  expect(run(['synth', '--check']).status).toBe(0);
});

describe('reading only what it means to read', () => {
  test('--check neither follows a link to /dev/zero nor opens a FIFO', () => {
    expect(run(['synth']).status).toBe(0);
    rmSync(join(out, 'web', 'stages', '02-canary.k8s.yaml'));
    symlinkSync('/dev/zero', join(out, 'web', 'stages', '02-canary.k8s.yaml'));
    expect(spawnSync('mkfifo', [join(out, 'web', 'stages', '09-fifo.k8s.yaml')]).status).toBe(0);
    const result = run(['synth', '--check'], { timeout: 20_000 });
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`conflict: ${out}/web/stages/02-canary.k8s.yaml is a symbolic link this tool did not write`);
  });

  test.each([
    ['/dev/zero', '/dev/zero: cannot read the spec: is not a regular file'],
    ['.', '.: cannot read the spec: is not a regular file'],
  ])('-c %s is refused without reading it', (path, message) => {
    const result = run(['plan', '-c', path], { timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${message}\n`);
  });

  test('a spec over 4 MiB is refused; a long value is shown cut, with its length', () => {
    writeFileSync(spec, `apps: [{ name: web, namespace: shop, stable: { image: "${'a'.repeat(5 * 1024 * 1024)}" } }]\n`);
    expect(run(['plan']).stderr).toBe(`canary.yaml: cannot read the spec: is ${5 * 1024 * 1024 + 62} bytes; at most 4194304 are read\n`);
    writeFileSync(spec, `apps: [{ name: web, namespace: shop, port: 8080, stable: { image: "web:1" }, canary: { image: "${'a '.repeat(500_000)}" } }]\n`);
    const result = run(['plan']);
    expect(result.stderr).toBe(`canary.yaml:1:88: "apps[0].canary.image" is "${'a '.repeat(59)}a..." (1000000 characters): must be at most 512 characters\n`);
  });
});

describe('output a terminal and a shell can trust', () => {
  test('plan | head -1 ends quietly', () => {
    writeSpec(Array.from({ length: 2000 }, (_, i) => app(`app-${i}`)));
    const result = run([], {}, ['sh', '-c', `"${process.execPath}" "${bin}" plan | head -1`]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^app-0: namespace shop/);
    expect(result.stderr).toBe('');
  });

  test('a value with control characters is shown escaped, never printed raw', () => {
    writeSpec([app('web', { routing: { istio: {}, match: [{ header: 'x-a', value: 'a\n  teardown  kubectl delete namespace kube-system\u001b[2J' }] } })]);
    const result = run(['plan']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('canary.yaml:13:11: "apps[0].routing.match[0].value" is "a\\n  teardown  kubectl delete namespace kube-system\\u001b[2J": must hold no control characters or line breaks\n');
  });

  test('paths in printed commands are quoted for the shell', () => {
    const result = run(['plan', '-o', 'my dist']);
    expect(result.stdout).toContain("kubectl apply -f 'my dist/web/stages/01-baseline.k8s.yaml'");
  });
});
