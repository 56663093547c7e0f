#!/usr/bin/env bash
# Installs the packed tarball into fresh projects as a cdk8s user would, with the oldest and the newest
# versions of cdk8s and constructs that the peer ranges allow, beside cdk8s-plus-27 and cdk8s-plus-33
# (what `cdk8s init typescript-app` pins today), then compiles (strict TypeScript) and runs an app that
# mixes its own cdk8s-plus objects with CanaryApp and CanaryRelease in one chart, and checks its files.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"

check() {
  local name=$1 plus=$2
  shift 2
  local dir="$work/$name"
  mkdir -p "$dir"
  cd "$dir"
  printf '{ "name": "user-app", "private": true }\n' > package.json
  # What npm says of the package in the user's project: no dependency wants another Node than the
  # package's engines field, and no script runs at install (npm 11 warns of a packed `prepare`).
  local said
  said=$(npm install --no-audit --no-fund --loglevel=warn "$tarball" "$@" typescript@5.9 @types/node@20 2>&1 > /dev/null)
  if grep -qiE 'EBADENGINE|prepare' <<< "$said"; then echo "$name: npm install warned:"; echo "$said"; exit 1; fi
  sed "s/cdk8s-plus-LINE/$plus/" > main.ts <<'TS'
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-LINE';
import { CanaryApp, CanaryRelease } from 'cdk8s-canary';
import { SpecError } from 'cdk8s-canary/engine';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'one-stage', { namespace: 'shop' });
const web = new CanaryApp(chart, 'web', { stable: { image: 'web:1.0' }, canary: { image: 'web:1.1' }, stage: 'canary' });
// The user's own cdk8s-plus objects beside the app's, in one chart: a Deployment and a Service that selects it.
const worker = new kplus.Deployment(chart, 'worker', { containers: [{ image: 'worker:1.0', portNumber: 9000 }] });
worker.exposeViaService({ name: 'worker' });
if (web.stable.kind !== 'Deployment' || web.service.kind !== 'Service') throw new Error('CanaryApp exposes its objects as ApiObjects');
const release = new CanaryRelease(app, 'shop', { namespace: 'shop', stable: { image: 'shop:1.4.0' }, canary: { image: 'shop:1.5.0' } });
for (const stage of release.stages) {
  new kplus.ConfigMap(stage.chart, 'config', { metadata: { name: 'shop-config' }, data: { stage: stage.name } });
}
try {
  new CanaryApp(new Chart(app, 'bad'), 'bad', { namespace: 'shop', stable: { image: 'web:1.0', replicas: -2 }, canary: { image: 'web:1.1' } });
  throw new Error('bad props were accepted');
} catch (error) {
  if (!(error instanceof SpecError)) throw error;
  console.log(error.message);
}
app.node.tryRemoveChild('bad');
app.synth();
TS
  npx tsc --strict --target ES2022 --module commonjs --esModuleInterop main.ts
  local out
  out=$(node main.js)
  [ "$out" = 'CanaryApp "bad": "stable.replicas" is -2: must be a whole number from 0 to 1000' ] || { echo "$name: unexpected output: $out"; exit 1; }
  for file in one-stage shop-01-baseline shop-02-canary shop-03-expand shop-04-promote shop-rollback; do
    [ -s "dist/$file.k8s.yaml" ] || { echo "$name: dist/$file.k8s.yaml was not written"; exit 1; }
  done
  grep -q 'name: web-canary' dist/one-stage.k8s.yaml
  grep -q 'image: worker:1.0' dist/one-stage.k8s.yaml
  grep -q 'stage: canary' dist/shop-02-canary.k8s.yaml
  # The synth tool from the installed package writes the committed files byte for byte.
  local spec
  for spec in canary.yaml:dist examples/routing.yaml:examples/dist; do
    out=$(npx --no-install cdk8s-canary synth --check -c "$repo/${spec%%:*}" -o "$repo/${spec#*:}" 2>&1) || { echo "$name: $out"; exit 1; }
  done
  [ -s node_modules/cdk8s-canary/.jsii ] && [ -s node_modules/cdk8s-canary/API.md ]
  echo "package: $name ($(node -p "['cdk8s', '$plus', 'constructs'].map((p) => p + '@' + require(p + '/package.json').version).join(', ')")): installs without an engine or script warning, compiles, synthesizes, writes the committed files"
}

# In the newest project: a second copy of the package beside the first (as two installs of different
# dependents leave it), whose CanaryApps the first copy's rules across apps still see; and a plain
# script that drives the engine's synth as the CLI does: write, check, and write again after a change.
copies_and_engine() {
  cd "$work/newest"
  cp -r node_modules/cdk8s-canary node_modules/cdk8s-canary-copy
  cat > copies.js <<'JS'
const { App, Chart } = require('cdk8s');
const one = require('cdk8s-canary');
const two = require('cdk8s-canary-copy');
if (one.CanaryApp === two.CanaryApp) throw new Error('the two copies are one module');
const chart = new Chart(new App({ outdir: 'copies' }), 'two', { namespace: 'shop' });
const web = new one.CanaryApp(chart, 'web', { stable: { image: 'web:1' }, canary: { image: 'web:2' }, createNamespace: true });
const api = new two.CanaryApp(chart, 'api', { stable: { image: 'api:1' }, canary: { image: 'api:2' }, createNamespace: true });
if (!web.namespace || api.namespace) throw new Error('the namespace should be created once, by the first app');
if (!one.CanaryApp.isCanaryApp(api) || !two.CanaryApp.isCanaryApp(web)) throw new Error('each copy knows the other one\'s CanaryApp');
try {
  new two.CanaryApp(chart, 'web-admin', { appLabel: 'web', stable: { image: 'admin:1' }, canary: { image: 'admin:1' } });
  throw new Error('an app selecting another copy\'s pods was accepted');
} catch (error) {
  if (!(error instanceof require('cdk8s-canary-copy/engine').SpecError) || !/would select each other's pods/.test(error.message)) throw error;
  console.log(error.message);
}
JS
  local out
  out=$(node copies.js)
  case "$out" in *'would select each other'*) ;; *) echo "copies: unexpected output: $out"; exit 1 ;; esac
  cat > engine.js <<'JS'
const { writeFileSync } = require('node:fs');
const engine = require('cdk8s-canary/engine');
const spec = (image) => `apps:\n  - name: web\n    namespace: shop\n    stable: { image: web:1 }\n    canary: { image: ${image} }\n  - name: api\n    namespace: shop\n    stable: { image: api:1 }\n    canary: { image: api:1 }\n`;
(async () => {
  writeFileSync('canary.yaml', spec('web:2'));
  const first = await engine.synth({ config: 'canary.yaml', output: 'out' });
  const checked = await engine.synth({ config: 'canary.yaml', output: 'out', check: true });
  writeFileSync('canary.yaml', spec('web:3'));
  const stale = await engine.synth({ config: 'canary.yaml', output: 'out', check: true });
  const again = await engine.synth({ config: 'canary.yaml', output: 'out' });
  console.log(JSON.stringify([first.written, checked.report.length, stale.report.length > 0, again.written, again.unchanged]));
})().catch((error) => { console.error(error.message); process.exit(1); });
JS
  out=$(node engine.js)
  # After web's canary image changes: only the files whose bytes change (web's 4 stage files that hold
  # its canary) are written; the other 8 stay as they are.
  [ "$out" = '[12,0,true,4,8]' ] || { echo "engine: unexpected output: $out"; exit 1; }
  echo "package: a second copy's CanaryApps are seen by the first's rules; a script's engine synth writes, checks and writes only what changed"
}

check oldest cdk8s-plus-27 constructs@10.3.0 cdk8s@2.64.2 cdk8s-plus-27@2.7.1
check newest cdk8s-plus-27 constructs@10 cdk8s@2 cdk8s-plus-27@2
check plus-33 cdk8s-plus-33 constructs@10 cdk8s@2 cdk8s-plus-33@2
copies_and_engine
