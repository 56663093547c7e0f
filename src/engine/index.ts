// The engine a script calls (`require('cdk8s-canary/engine')`): the CLI's commands as functions, with
// the same validation, defaults and messages; and the errors every bad input raises, on every road.
export type { Problem, SpecPath } from '../spec/problems';
export { OutputConflictError, OutputLockedError, SpecError, UsageError } from './errors';
export { loadSpec, parseSpec, type LoadedSpec, type SpecOptions } from './load';
export { synthesize } from '../render/synth';
export { synth, type SynthChecked, type SynthOptions, type SynthWritten } from './synth';
export { plan, type PlanOptions } from './plan';
export { verify, type VerifyOptions, type VerifyOutcome } from './verify';
export { finish, type FinishedRelease } from './finish';
export { move, type MoveOptions, type MoveOutcome } from './move';
export type { MoveRequest } from '../model/moves';
export type { RenderedFile } from '../io/header';
export type { ResolvedApp } from '../model/resolve';
