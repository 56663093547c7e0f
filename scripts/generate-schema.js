#!/usr/bin/env node
// Generates schema/canary-spec.schema.json from the spec's types in src/spec/types.ts: their JSDoc gives
// each field's description and rules, and `@message` the words a broken rule prints; then compiles
// it into schema/canary-spec.validate.js, the validators the tool runs (with the built lib/, so after
// npm run build). CI runs it and fails when a committed file differs.
//   node scripts/generate-schema.js [src/spec/types.ts] [schema/canary-spec.schema.json] [schema/canary-spec.validate.js]
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { createGenerator } = require('ts-json-schema-generator');
const { validatorModule } = require('../lib/spec/schema');

const root = join(__dirname, '..');
const [
  source = join(root, 'src', 'spec', 'types.ts'),
  target = join(root, 'schema', 'canary-spec.schema.json'),
  validatorTarget = join(root, 'schema', 'canary-spec.validate.js'),
] = process.argv.slice(2);

const generated = createGenerator({
  path: source,
  type: 'CanarySpec',
  tsconfig: join(root, 'tsconfig.json'),
  topRef: false,
  additionalProperties: false,
  sortProps: true,
  extraTags: ['message'],
  skipTypeCheck: true,
}).createSchema('CanarySpec');

/** `@default` is prose here (`the app name`), not a value: it goes into the description. */
function defaultsInDescriptions(node) {
  if (Array.isArray(node)) return node.map(defaultsInDescriptions);
  if (node === null || typeof node !== 'object') return node;
  const { default: given, ...rest } = node;
  const out = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, defaultsInDescriptions(value)]));
  if (given !== undefined) out.description = `${out.description ?? ''} Default: ${typeof given === 'string' ? given : JSON.stringify(given)}.`.trim();
  return out;
}

const { $schema, ...body } = defaultsInDescriptions(generated);
// An app's own keys lead, and its current stage follows its stages, as in canary.yaml.
const app = body.definitions.AppSpec;
const { name, namespace, stage, ...settings } = app.properties;
app.properties = Object.fromEntries(Object.entries({ name, namespace, ...settings })
  .flatMap((entry) => (entry[0] === 'stages' ? [entry, ['stage', stage]] : [entry])));
// Pod templates, and the Deployment and Service a `from` file holds, are checked against the
// Kubernetes API's own types as kubernetes-models declares them, generated here: unknown fields are
// refused, as the API server's strict field validation does.
const kubernetes = (file, type) => createGenerator({
  path: join(root, 'node_modules', 'kubernetes-models', `${file}.d.ts`),
  type,
  tsconfig: join(root, 'tsconfig.json'),
  topRef: false,
  additionalProperties: false,
  skipTypeCheck: true,
  jsDoc: 'none',
}).createSchema(type);
const K8S = 'k8s.';
const prefixed = (node) => JSON.parse(JSON.stringify(node).replace(/"#\/definitions\//g, `"#/definitions/${K8S}`));
for (const [file, type, name] of [['v1/PodTemplateSpec', 'IPodTemplateSpec', 'PodTemplate'], ['apps/v1/Deployment', 'IDeployment', 'KubernetesDeployment'], ['apps/v1/StatefulSet', 'IStatefulSet', 'KubernetesStatefulSet'], ['v1/Service', 'IService', 'KubernetesService']]) {
  const { definitions, $schema: _ignored, ...top } = kubernetes(file, type);
  for (const [key, value] of Object.entries(definitions ?? {})) body.definitions[`${K8S}${key}`] = prefixed(value);
  body.definitions[name] = { ...prefixed(top), description: body.definitions[name]?.description ?? `A Kubernetes ${type.slice(1)}.` };
}
const schema = {
  $schema,
  $id: 'https://cdk8s-canary.dev/schema/canary-spec.schema.json',
  title: 'cdk8s-canary spec',
  ...body,
};
writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(validatorTarget, validatorModule(schema));
