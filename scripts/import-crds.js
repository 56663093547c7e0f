#!/usr/bin/env node
// Regenerates src/constructs/imports/ with `cdk8s import` from the upstream CRD files at the pinned versions
// recorded in src/constructs/imports/README.md, read from local git checkouts of the two repositories:
//   node scripts/import-crds.js <kubernetes-sigs/gateway-api checkout> <istio/api checkout>
// Only the API version the route constructs write is kept of each CRD, so the generated code holds
// one class per kind.
const { execFileSync } = require('node:child_process');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseAllDocuments, stringify } = require('yaml');

const SOURCES = [
  // v1.3.0: the first release whose standard channel has the RequestMirror filter's percent.
  {
    repo: process.argv[2], tag: 'v1.3.0', version: 'v1',
    paths: ['config/crd/standard/gateway.networking.k8s.io_httproutes.yaml', 'config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml'],
    crds: ['httproutes.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io'],
  },
  { repo: process.argv[3], tag: '1.24.6', paths: ['kubernetes/customresourcedefinitions.gen.yaml'], crds: ['virtualservices.networking.istio.io', 'destinationrules.networking.istio.io'], version: 'v1beta1' },
];
if (!process.argv[3]) throw new Error('usage: node scripts/import-crds.js <gateway-api checkout> <istio-api checkout>');

const work = mkdtempSync(join(tmpdir(), 'cdk8s-canary-crds-'));
const out = join(__dirname, '..', 'src', 'constructs', 'imports');
for (const [i, source] of SOURCES.entries()) {
  const text = source.paths.map((path) => execFileSync('git', ['-C', source.repo, 'show', `${source.tag}:${path}`], { encoding: 'utf8', maxBuffer: 64 << 20 })).join('\n---\n');
  const crds = parseAllDocuments(text).map((doc) => doc.toJS()).filter((crd) => crd && source.crds.includes(crd.metadata.name));
  for (const crd of crds) crd.spec.versions = crd.spec.versions.filter((version) => version.name === source.version);
  const file = join(work, `crds-${i}.yaml`);
  writeFileSync(file, crds.map((crd) => stringify(crd)).join('---\n'));
  execFileSync(join(__dirname, '..', 'node_modules', '.bin', 'cdk8s'), ['import', file, '-l', 'typescript', '-o', out], {
    // Run beside the CRDs: in the project, cdk8s import would also record them in cdk8s.yaml.
    cwd: work, stdio: 'inherit', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
}
