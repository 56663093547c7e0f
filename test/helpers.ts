/**
 * What the tests share to run the tool: the bin as a process, with time limits that a busy machine
 * stays well within; a command in this process, its output kept; a folder's files; generated specs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AppSpec } from '../src/spec/types';

export const root = join(__dirname, '..');
export const bin = join(root, 'bin', 'cdk8s-canary.js');

/**
 * How long one process may run before it is killed: a run that spins or hangs fails, and the suite
 * goes on. Far above what any takes: on 2 cores at a load of 15 (other builds and a control plane
 * beside the tests) a type-check that takes 6 s idle took over a minute.
 */
export const PROCESS_KILL_AFTER = 300_000;

/**
 * Jest's limit for a test that starts processes. Its default, 5 s, is met on an idle machine and
 * missed on a busy one: such a test fails by what its processes do, and its limit is only there to
 * end a hang.
 */
export const PROCESS_TEST_TIMEOUT = 2 * PROCESS_KILL_AFTER;

/**
 * A command prefix that runs what follows without root's power to override file permissions: as
 * root, permissions bind only without these capabilities.
 */
export const NO_PERMISSION_OVERRIDE = ['setpriv', '--inh-caps=-dac_override,-dac_read_search', '--bounding-set=-dac_override,-dac_read_search'];

/** Node's options to preload a file of test/fixtures into a process (and the threads it starts). */
export const preload = (fixture: string): string[] => ['--require', join(__dirname, 'fixtures', fixture)];

/** A new folder in the system's temporary folder: `tempDir('out')` is /tmp/cdk8s-canary-out-XXXXXX. */
export const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `cdk8s-canary-${name}-`));

export interface RunOptions {
  /** The process's working folder; by default this one's. */
  readonly cwd?: string;
  /**
   * Set over this process's environment, after CI=true (no progress line) and
   * CDK8S_CHECK_UPGRADE=false; a variable set to undefined is left out.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Node's own options, given before the bin: a preload, for example. */
  readonly node?: readonly string[];
  /** A command the bin runs under, such as `unshare -pf` or `setpriv`. */
  readonly under?: readonly string[];
  /** How long the process may run before it is killed; by default PROCESS_KILL_AFTER, 0 for a server the test stops itself. */
  readonly killAfter?: number;
  /** What the process reads on its standard input (runCommand only). */
  readonly input?: string;
}

/** How a process ended, and what it printed; `error` when it could not be started (ENOENT) or was killed for its time. */
export interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: NodeJS.ErrnoException;
}

const environment = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, CI: 'true', CDK8S_CHECK_UPGRADE: 'false', ...env });

const binCommand = (args: readonly string[], options: RunOptions): string[] => [...options.under ?? [], process.execPath, ...options.node ?? [], bin, ...args];

/** Runs a command to its end, or kills it (SIGKILL: unshare ignores SIGTERM; with --kill-child its child dies with it). */
export function runCommand(command: readonly string[], options: RunOptions = {}): Ran {
  const result = spawnSync(command[0], command.slice(1), {
    cwd: options.cwd, env: environment(options.env), input: options.input, encoding: 'utf8', timeout: options.killAfter ?? PROCESS_KILL_AFTER, killSignal: 'SIGKILL',
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

/** The process's output, or an Error (plain, so that jest can report it) that says how it ended and what it printed. */
export function outputOf(ran: Ran, what: string): string {
  if (ran.status === 0) return ran.stdout;
  throw new Error(`${what}: ${ran.error ? ran.error.message : `exit ${ran.status ?? ran.signal}`}\n${ran.stdout}${ran.stderr}`);
}

/** The bin as a process: `run(['synth', '-c', spec])`. */
export function run(args: readonly string[], options: RunOptions = {}): Ran {
  return runCommand(binCommand(args, options), options);
}

/**
 * A command started without blocking this process, which may have to answer it (a server) or act
 * while it runs; `ended` settles once it has exited and its output is read.
 */
export function start(command: readonly string[], options: RunOptions = {}): { child: ChildProcess; ended: Promise<Ran> } {
  const child = spawn(command[0], command.slice(1), { cwd: options.cwd, env: environment(options.env), timeout: options.killAfter ?? PROCESS_KILL_AFTER, killSignal: 'SIGKILL' });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => { stdout += chunk; });
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const ended = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, ended };
}

/** The bin started as a process; see `start`. */
export function startBin(args: readonly string[], options: RunOptions = {}): { child: ChildProcess; ended: Promise<Ran> } {
  return start(binCommand(args, options), options);
}

/** A command of the tool in this process, as the bin runs it, its lines kept: `await cli('plan', '-c', spec)`. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../src/cli/main');
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text), progress: () => undefined, interactive: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The files below a folder, as sorted paths relative to it; links are listed, not followed. */
export function files(folder: string, prefix = ''): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? files(folder, path) : [path];
  }).sort();
}

/** The files below a folder with their text, by path; none for a folder that is not there. */
export function tree(folder: string): Record<string, string> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(files(folder).map((path) => [path, readFileSync(join(folder, path), 'utf8')]));
}

/** Writes a spec of these apps to `path`, and returns the path. */
export function writeSpec(path: string, apps: readonly AppSpec[]): string {
  writeFileSync(path, stringify({ apps }));
  return path;
}

/** App `i` of a generated spec of many apps, as the large-spec tests and the bench make them. */
export function generatedApp(i: number): AppSpec {
  return {
    name: `app-${i}`,
    namespace: `team-${i % 7}`,
    port: 8080,
    stable: { image: `registry.local/app-${i}:1.0.${i}` },
    canary: { image: `registry.local/app-${i}:1.1.${i}`, replicas: 1 + (i % 4) },
    stage: i % 2 ? 'canary' : 'baseline',
  };
}

/** Apps 0 to n - 1 of the generated spec. */
export const generatedApps = (n: number): AppSpec[] => Array.from({ length: n }, (_, i) => generatedApp(i));

/**
 * How many apps make a large spec here: enough for each app's shapes (7 namespaces, 4 canary sizes,
 * 2 stages: they repeat every 28 apps) to come twice, and for more than one job of render threads
 * (25 apps each), which start from this many apps when LARGE_SPEC_THREADS is set.
 */
export const LARGE_APPS = 60;

/** The environment under which a large spec renders on threads: they start from LARGE_APPS apps, not 600. */
export const LARGE_SPEC_THREADS = { CDK8S_CANARY_RENDER_THREADS_FROM: String(LARGE_APPS) };

