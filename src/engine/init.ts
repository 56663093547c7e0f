import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SpecError, type SpecPath } from '../spec/problems';
import { readWorkloadFile } from '../spec/workload-file';
import { optionName, plainPath, shown, UsageError, type OptionNaming } from './errors';
import { parseSpec } from './load';
import { specFromManifest, starterSpec, type StarterOptions } from './starter-spec';

/** The path `to` as a spec at `config` names it: relative to the spec's folder, with `/`. */
function fromSpec(config: string, to: string): string {
  const path = relative(dirname(resolve(config)), resolve(to)).split(sep).join('/');
  return path.startsWith('.') || path.startsWith('/') ? path : `./${path}`;
}

/**
 * Writes `text`, a new spec made from `options`, to `config`, never over an existing file. It is
 * checked first as a spec: a problem is a SpecError that names the option it came from, and nothing
 * is written.
 */
function writeNewSpec(config: string, text: (schema: string) => string, options: object, naming: OptionNaming): void {
  plainPath(optionName(naming, 'config'), config);
  // The schema this installed package ships, from where the spec is. The modeline is one comment
  // line: a folder name with a line break is written as a URI escape.
  const schema = fromSpec(config, join(__dirname, '..', '..', 'schema', 'canary-spec.schema.json'))
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => encodeURIComponent(c));
  const spec = text(schema);
  try {
    parseSpec(spec, config);
  } catch (error) {
    // The options are at fault, or the manifests (whose problems name their own file): none was written.
    if (!(error instanceof SpecError)) throw error;
    // An option by its name; a field the options do not set, as a field.
    const option = (path: SpecPath) => {
      const field = String(path.at(-1));
      return Object.hasOwn(options, field) ? optionName(naming, field) : field;
    };
    throw new SpecError(error.problems.map((problem) => (problem.source !== undefined ? problem
      : { path: [], message: `init wrote nothing: ${option(problem.path)} ${problem.message}` })).filter((problem, i, all) => all.findIndex((other) => other.message === problem.message && other.source === problem.source) === i));
  }
  try {
    writeFileSync(config, spec, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${config} exists already; init never replaces a file: give another with ${optionName(naming, 'config')}`);
    throw error;
  }
}

/**
 * Writes a starter spec to `config`, never over an existing file. The options are checked as the spec
 * they make: a bad one is a SpecError that names the option, and nothing is written.
 */
export function writeStarterSpec(config: string, options: StarterOptions, naming: OptionNaming = {}): void {
  writeNewSpec(config, (schema) => starterSpec(options, schema), options, naming);
}

/** What a spec for a running app is taken from. */
export interface FromManifestRequest {
  /** The file of its manifests: its Deployment and Service, as `kubectl get -o yaml`, kustomize or helm give them. */
  readonly from: string;
  /** @default the Deployment's name */
  readonly name?: string;
  /** @default the Deployment's namespace, else the app's name */
  readonly namespace?: string;
  /** @default the Deployment's only container, or the one named as the Deployment */
  readonly container?: string;
}

/**
 * Writes a spec for the running app whose manifests `request.from` holds to `config`, never over an
 * existing file: the app takes its Deployment and Service from the file (`from:`), its name and
 * namespace from the Deployment, and the canary the image its app container runs, so no release is in
 * progress; `securityProfile: baseline` where its pod template breaks the restricted level and
 * passes baseline. Problems in the file are SpecErrors with its line; nothing is written.
 */
export function writeSpecFromManifest(config: string, request: FromManifestRequest, naming: OptionNaming = {}): { readonly name: string; readonly securityProfile?: 'baseline' } {
  const from = fromSpec(config, request.from);
  const read = readWorkloadFile(from, [], dirname(resolve(config)));
  if (!read.file) {
    throw new SpecError(read.problems.map((problem) => (problem.source !== undefined ? problem
      : { path: [], message: `init wrote nothing: ${optionName(naming, 'from')} ${shown(request.from)}: ${problem.message.replace(/^is ".*?": /, '')}` })));
  }
  const { metadata = {}, spec: { template: { spec: pod = {} } = {} } = {} } = read.file.deployment;
  const containers: { name: string; image?: string }[] = pod.containers ?? [];
  const name = request.name ?? metadata.name;
  const chosen = request.container ?? (containers.length === 1 ? containers[0].name : containers.find((each) => each.name === metadata.name)?.name);
  const container = containers.find((each) => each.name === chosen);
  if (!container?.image) {
    throw new UsageError(request.container === undefined
      ? `the Deployment in ${request.from} has containers ${containers.map((each) => each.name).join(', ')}: name the app's with ${optionName(naming, 'container')}`
      : `the Deployment in ${request.from} has no container ${request.container} with an image: its containers are ${containers.map((each) => each.name).join(', ')}`);
  }
  const options = { name, namespace: request.namespace ?? metadata.namespace ?? name, from, image: container.image, ...(containers.length > 1 ? { container: container.name } : {}) };
  // The app runs as it runs now: where its pod template breaks the restricted level that a new app
  // gets, the spec asks for baseline, which admits what most running apps do (a root user).
  const passes = (profile?: 'baseline') => {
    try {
      parseSpec(specFromManifest({ ...options, securityProfile: profile }, ''), config);
      return true;
    } catch (error) {
      if (error instanceof SpecError) return false;
      throw error;
    }
  };
  const securityProfile = !passes() && passes('baseline') ? 'baseline' as const : undefined;
  writeNewSpec(config, (schema) => specFromManifest({ ...options, securityProfile }, schema), options, naming);
  return { name, ...(securityProfile ? { securityProfile } : {}) };
}
