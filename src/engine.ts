// The engine a script calls (`require('cdk8s-canary/engine')`): read and resolve a spec, render its
// files; and the error every bad input raises, on every road.
export { SpecError, type Problem, type SpecPath } from './spec-error';
export { loadSpec, parseSpec, type LoadedSpec } from './spec-load';
export { synthesize } from './synth';
export type { RenderedFile } from './file-header';
export type { ResolvedApp } from './resolve';
