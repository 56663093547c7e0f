import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, chmodSync, statSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli/main';
import { fileHeader, parseHeader } from '../src/io/header';

const bin = join(__dirname, '..', 'bin', 'cdk8s-canary.js');
let dir: string;
let cwd: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-hardening-'));
  cwd = process.cwd();
  process.chdir(dir);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: () => undefined, interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

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
function run(args: string[], prefix: string[] = [], env: Record<string, string> = {}) {
  const [command, ...rest] = [...prefix, process.execPath, bin, ...args];
  return spawnSync(command, rest, { cwd: dir, encoding: 'utf8', timeout: 20_000, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env } });
}

function files(folder: string, prefix = ''): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? files(folder, path) : [path];
  }).sort();
}

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
    const pause = ['--require', join(__dirname, 'fixtures', 'pause.js')];
    const first = spawn('unshare', ['-pf', '--mount-proc', process.execPath, ...pause, bin, 'synth'], {
      cwd: dir, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', PAUSE_AT: 'renameSync:2', PAUSE_MS: '4000' },
    });
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
    for (let i = 0; i < 100 && !existsSync(lockPath()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(JSON.parse(readFileSync(lockPath(), 'utf8')).pid).toBe(1);
    const second = run(['synth'], ['unshare', '-pf', '--mount-proc']);
    expect(second.stderr).toContain('another cdk8s-canary run (pid 1 in another pid namespace) is writing dist');
    expect(second.status).toBe(4);
    expect(await firstDone).toBe(0);
    // Negative control: once the first has finished, the next run goes ahead.
    expect(run(['synth'], ['unshare', '-pf', '--mount-proc']).status).toBe(0);
  }, 30_000);

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
    const started = Date.now();
    const result = run(['synth']);
    expect(result.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.status).toBe(5);
    expect(result.stderr).toBe(`cdk8s-canary: nothing was written: ${join(dir, 'dist')}/.cdk8s-canary.lock ${reason}, not a lock this tool wrote; if no cdk8s-canary run is writing dist, remove it\n`);
    expect(existsSync(join(dir, 'dist', 'web'))).toBe(false);
  });

  test('an unreadable lock stops the run with a message', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(lockPath(), '{"pid": 1}');
    chmodSync(lockPath(), 0o000);
    const noOverride = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];
    const result = run(['synth'], noOverride);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(5);
    expect(result.stderr).toContain('.cdk8s-canary.lock is unreadable (EACCES), not a lock this tool wrote');
  });

  test('a lock\'s host is printed with its control characters escaped', () => {
    writeFileSync(join(dir, 'canary.yaml'), BASE);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(lockPath(), JSON.stringify({ pid: 7, host: 'evil\u001b[2J\nhost' }));
    const result = run(['synth']);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('(pid 7 on evil\\u001b[2J\\u000ahost)');
    expect(statSync(lockPath()).isFile()).toBe(true);
  });
});
