// The engine a script calls (`require('cdk8s-canary/engine')`): read and resolve a spec, render its
// files; and the error every bad input raises, on every road.
export { SpecError, type Problem, type SpecPath } from './spec/problems';
export { loadSpec, parseSpec, type LoadedSpec } from './model/spec-file';
export { synthesize } from './render/synth';
export type { RenderedFile } from './io/header';
export type { ResolvedApp } from './model/resolve';
