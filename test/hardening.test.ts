import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli/main';
import { fileHeader, parseHeader } from '../src/io/header';

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
