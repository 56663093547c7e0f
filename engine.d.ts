export * from './lib/engine/index';
