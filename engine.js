// The engine entry point: cdk8s-canary/engine.
module.exports = require('./lib/engine/index');
