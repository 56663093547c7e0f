import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cli, files, PROCESS_TEST_TIMEOUT, root, run as runBin, runCommand, tempDir } from './helpers';

const spec = join(root, 'canary.yaml');
let dir: string;

beforeEach(() => { dir = tempDir('cli'); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('synth', () => {
  test('writes one complete file per stage, then finds nothing to change', async () => {
    const out = join(dir, 'dist');
    const first = await cli('synth', '-c', spec, '-o', out);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^synth: 1 app, 6 files written, 0 unchanged, 0 removed, in \d+\.\d\d s/);
    expect(files(out)).toEqual([
      'nginx/current/nginx.k8s.yaml',
      'nginx/stages/01-baseline.k8s.yaml',
      'nginx/stages/02-canary.k8s.yaml',
      'nginx/stages/03-expand.k8s.yaml',
      'nginx/stages/04-promote.k8s.yaml',
      'nginx/stages/rollback.k8s.yaml',
    ]);
    const second = await cli('synth', '-c', spec, '-o', out);
    expect(second.out).toMatch(/^synth: 1 app, 0 files written, 6 unchanged, 0 removed/);
  });

  test('the committed dist/ is what canary.yaml produces', async () => {
    const result = await cli('synth', '--check', '-c', spec, '-o', join(root, 'dist'));
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^check: 1 app, 6 files up to date in /);
    // The walkthrough's canary image has no tag; that is worth a warning, not a failure.
    expect(result.err).toBe(`warning: ${spec}:21:7: "apps[0].canary.image" is "docker/getting-started": untagged or :latest images change under you; pin a tag or digest`);
  });

  test('--check names stale, missing and leftover files and writes nothing', async () => {
    const out = join(dir, 'dist');
    await cli('synth', '-c', spec, '-o', out);
    writeFileSync(join(out, 'nginx/stages/02-canary.k8s.yaml'), readFileSync(join(out, 'nginx/stages/02-canary.k8s.yaml'), 'utf8').replace('replicas: 1', 'replicas: 2'));
    rmSync(join(out, 'nginx/stages/rollback.k8s.yaml'));
    cpSync(join(out, 'nginx/stages/01-baseline.k8s.yaml'), join(out, 'nginx/stages/09-old.k8s.yaml'));
    const before = files(out);
    const result = await cli('synth', '--check', '-c', spec, '-o', out);
    expect(result.code).toBe(1);
    expect(result.err.split('\n').filter((l) => !l.startsWith('warning:') && !l.startsWith('check:'))).toEqual([
      `stale: ${out}/nginx/stages/02-canary.k8s.yaml`,
      '    --- nginx/stages/02-canary.k8s.yaml (on disk)',
      '    +++ nginx/stages/02-canary.k8s.yaml (from the spec)',
      '    @@ -159,5 +159,5 @@',
      '       namespace: dev',
      '     spec:',
      '    -  replicas: 2',
      '    +  replicas: 1',
      '       selector:',
      '         matchLabels:',
      `missing: ${out}/nginx/stages/rollback.k8s.yaml`,
      `not in the spec: ${out}/nginx/stages/09-old.k8s.yaml`,
    ]);
    expect(result.err).toContain(`check: ${out} is out of date with ${spec} (3 files); run cdk8s-canary synth`);
    expect(result.out).toBe('');
    expect(files(out)).toEqual(before);
  });

  test('bad input: one line per problem, exit 1, nothing written', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apps:\n  - name: web\n    namespace: dev\n    stable: { image: "web:1", replica: 2 }\n    canary: { image: "" }\n');
    const result = await cli('synth', '-c', bad, '-o', join(dir, 'dist'));
    expect(result.code).toBe(1);
    expect(result.err).toBe([
      `${bad}:4:31: "apps[0].stable.replica" is not a known key: did you mean replicas? allowed keys here are name, image, replicas, env, config, secretEnvFrom, secretMounts, autoscaling`,
      `${bad}:5:15: "apps[0].canary.image" is "": must not be empty`,
    ].join('\n'));
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  test('a missing spec file', async () => {
    const result = await cli('synth', '-c', join(dir, 'nope.yaml'));
    expect(result).toMatchObject({ code: 1, err: `${join(dir, 'nope.yaml')}: cannot read the spec: no such file` });
  });
});

describe('plan', () => {
  test('prints stages, shares with bars, and the kubectl command of each stage', async () => {
    const result = await cli('plan', '-c', spec);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines.slice(1, 8)).toEqual([
      '  endpoint check: Job nginx-endpoints (an Argo CD Sync hook; its Role lists EndpointSlices and pods), where a track grows',
      '  stage     stable  canary  canary share',
      '  baseline       3       0            0%  [--------------------] <- current',
      '  canary         3       1           25%  [#####---------------]',
      '  expand         3       3           50%  [##########----------]',
      '  promote        0       3          100%  [####################]',
      '  rollback       3       0            0%  [--------------------]',
    ]);
    // The Service must list the track's pods as ready endpoints before the other track shrinks.
    const listed = (track: string, count: number) => `            && { ok=; for i in $(seq 60); do [ "$({ kubectl get pods -n dev -l app=nginx,track=${track} -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'; `
      + `kubectl get endpointslices -n dev -l kubernetes.io/service-name=canary-demo -o jsonpath='{range .items[*].endpoints[*]}{.conditions.ready}/{.targetRef.name}{"\\n"}{end}' | sed -n 's#^true/##p' | sort -u; } | sort | uniq -d | grep -c .)" -ge ${count} ] && { ok=1; break; }; sleep 1; done; `
      + `[ "$ok" ] || { echo 'Service canary-demo: fewer than ${count} ${track} pods are ready endpoints after 60 s; traffic stays where it is' >&2; false; }; } \\`;
    expect(result.out).toContain([
      "  canary    kubectl apply -f dist/nginx/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component notin (router,endpoint-check),track!=stable' \\",
      '            && kubectl rollout status -n dev deployment/nginx-deployment-canary \\',
      listed('canary', 1),
      // The endpoint check's objects are Argo CD's: the step above is theirs on this road.
      "            && kubectl apply -f dist/nginx/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component!=endpoint-check'\n",
    ].join('\n'));
    expect(result.out).toContain('  promote   kubectl apply -f dist/nginx/stages/04-promote.k8s.yaml\n');
    expect(result.out).toContain([
      "  rollback  kubectl apply -f dist/nginx/stages/rollback.k8s.yaml -l 'app.kubernetes.io/component notin (router,endpoint-check),track!=canary' \\",
      '            && kubectl rollout status -n dev deployment/nginx-deployment-v1 \\',
      listed('stable', 3),
      "            && kubectl apply -f dist/nginx/stages/rollback.k8s.yaml -l 'app.kubernetes.io/component!=endpoint-check'\n",
    ].join('\n'));
    expect(result.out).toContain([
      "  baseline  kubectl apply -f dist/nginx/stages/01-baseline.k8s.yaml -l 'app.kubernetes.io/component!=endpoint-check' \\",
      '            && kubectl rollout status -n dev deployment/nginx-deployment-v1 \\',
      listed('stable', 3),
      '            && kubectl delete deployment/nginx-deployment-canary poddisruptionbudget/nginx-deployment-canary -n dev --ignore-not-found\n',
    ].join('\n'));
    expect(result.out).toContain('  teardown  kubectl delete deployment,service,poddisruptionbudget,serviceaccount,role,rolebinding,configmap,job -n dev -l app.kubernetes.io/instance=nginx,app.kubernetes.io/managed-by=cdk8s-canary');
    expect(result.out).not.toContain('--all');
  });

  test('for a routed app: the routers, the match rules, and per stage the weight and whether matches stand', async () => {
    const result = await cli('plan', '-c', join(root, 'examples', 'routing.yaml'), '-o', 'examples/dist');
    expect(result.code).toBe(0);
    const gateway = result.out.split('\n\n')[0].split('\n');
    expect(gateway.slice(1, 11)).toEqual([
      '  routing: Gateway API HTTPRoute canary-demo on infra/shared-gateway for canary-demo.example.com',
      '  match rules, to the canary in stages where it runs: header x-canary = always; header x-user-region ~ cn-north-.*; cookie canary = true',
      '  endpoint check: Job nginx-gateway-endpoints (an Argo CD Sync hook; its Role lists EndpointSlices and pods), where a track grows',
      '  stage     stable  canary  canary weight                          match rules',
      '  baseline       3       0             0%  [--------------------]  -',
      '  canary         3       1             5%  [#-------------------]  on <- current',
      '  quarter        3       1            25%  [#####---------------]  on',
      '  expand         3       3            50%  [##########----------]  on',
      '  promote        0       3           100%  [####################]  on',
      '  rollback       3       0             0%  [--------------------]  -',
    ]);
    expect(result.out).toContain('kubectl delete deployment,service,poddisruptionbudget,configmap,serviceaccount,role,rolebinding,job,httproute -n dev-gateway -l app.kubernetes.io/instance=nginx-gateway,');
    expect(result.out).toContain('kubectl delete deployment,service,poddisruptionbudget,configmap,serviceaccount,role,rolebinding,job,destinationrule,virtualservice -n dev-istio -l app.kubernetes.io/instance=nginx-istio,');
    expect(result.out).toContain('nginx-sticky: namespace dev-sticky (created by these files), Service canary-demo (NodePort, ClientIP affinity 3600 s)');
  });

  test('shows the share asked for when replica counts cannot carry it', async () => {
    const custom = join(dir, 'canary.yaml');
    writeFileSync(custom, 'apps:\n  - name: web\n    namespace: web\n    port: 8080\n    stable: { image: "web:1" }\n    canary: { image: "web:2" }\n    stages: [{ name: ten, canaryPercent: 10 }]\n');
    const result = await cli('plan', '-c', custom);
    expect(result.out).toContain('  ten            3       1  (asked 10%) 25%  [#####---------------] <- current');
  });
});

describe('finish', () => {
  test('makes the canary image stable, sets the stage without a canary, keeps comments', async () => {
    const copy = join(dir, 'canary.yaml');
    writeFileSync(copy, readFileSync(spec, 'utf8').replace('stage: baseline', 'stage: promote'));
    const result = await cli('finish', 'nginx', '-c', copy);
    expect(result.code).toBe(0);
    const text = readFileSync(copy, 'utf8');
    expect(text).toContain('# The canary walkthrough');
    expect(text).toMatch(/stable:\n\s+name: nginx-deployment-v1\n\s+image: docker\/getting-started/);
    expect(text).toMatch(/^    stage: baseline$/m);
    expect(result.out).toBe('finish: nginx now runs its canary\'s image and config on stable, at stage baseline; run cdk8s-canary synth, then apply baseline');
    const plan = await cli('plan', '-c', copy);
    expect(plan.out).toContain('stable nginx-deployment-v1 (docker/getting-started)');
    expect(plan.out).toMatch(/baseline.*<- current/);
  });

  test('refuses while stable still serves traffic', async () => {
    const copy = join(dir, 'canary.yaml');
    writeFileSync(copy, readFileSync(spec, 'utf8').replace('stage: baseline', 'stage: expand'));
    const before = readFileSync(copy, 'utf8');
    const result = await cli('finish', 'nginx', '-c', copy);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${copy}:28:5: "apps[0].stage" is "expand": a release is finished only from a stage with all traffic on the canary`);
    expect(readFileSync(copy, 'utf8')).toBe(before);
  });

  test('an unknown app is an error and the spec is left alone', async () => {
    const copy = join(dir, 'canary.yaml');
    cpSync(spec, copy);
    const result = await cli('finish', 'ngnix', '-c', copy);
    expect(result).toMatchObject({ code: 2, err: expect.stringContaining('unknown app ngnix: did you mean nginx?') });
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(spec, 'utf8'));
  });
});

const HINT = 'Run `cdk8s-canary --help` for the commands and their options.';

describe('the command line, run as a process', () => {
  const run = (args: string[], cwd = dir) => runBin(args, { cwd });
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

  test.each([['--version'], ['-v']])('%s prints the version', (flag) => {
    expect(run([flag])).toMatchObject({ status: 0, stdout: `cdk8s-canary ${version}\n`, stderr: '' });
  }, PROCESS_TEST_TIMEOUT);

  test.each([
    [['--help'], 'Usage: cdk8s-canary <command> [options]'],
    [['synth', '--help'], 'Usage: cdk8s-canary synth [-c canary.yaml] [-o dist] [--check] [--take-over] [--plan]'],
    [['help', 'plan'], 'Usage: cdk8s-canary plan [APP...] [-c canary.yaml] [-o dist] [--json] [--script] [--stage STAGE]'],
    [['init', '-h'], 'Usage: cdk8s-canary init [-c canary.yaml] [--name APP] [--namespace NS] [--image IMAGE] [--port PORT] [--from FILE] [--container NAME]'],
    [['finish', '--help'], 'Usage: cdk8s-canary finish APP [-c canary.yaml]'],
  ])('%j prints its usage with an example', (args, first) => {
    const result = run(args);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(first);
    if (args.length > 1) expect(result.stdout).toMatch(/\nExample:\n {2}npx cdk8s-canary \w+/);
  }, PROCESS_TEST_TIMEOUT);

  test.each([
    [['synht'], 'cdk8s-canary: unknown command synht: did you mean synth?'],
    [['deploy'], 'cdk8s-canary: unknown command deploy'],
    [[], 'cdk8s-canary: no command given'],
    [['synth', '--chek'], 'cdk8s-canary: unknown option --chek: did you mean --check?'],
    [['synth', '--bogus'], 'cdk8s-canary: unknown option --bogus'],
    [['plan', '--check'], 'cdk8s-canary: --check does not go with plan'],
    [['synth', '-o'], 'cdk8s-canary: -o needs a value'],
    [['synth', 'extra'], 'cdk8s-canary: unexpected argument extra for synth'],
  ])('usage error %j: one line in the tool\'s words, the hint, exit 2', (args, message) => {
    expect(run(args)).toMatchObject({ status: 2, stdout: '', stderr: `${message}\n${HINT}\n` });
  }, PROCESS_TEST_TIMEOUT);

  test('init writes a starter spec that synthesizes as it is, and never replaces a file', () => {
    const project = tempDir('init');
    try {
      const init = run(['init', '--name', 'shop'], project);
      expect(init).toMatchObject({ status: 0, stdout: 'init: wrote canary.yaml for app shop; next: npx cdk8s-canary synth\n', stderr: '' });
      const text = readFileSync(join(project, 'canary.yaml'), 'utf8');
      const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)![1];
      expect(readFileSync(join(project, schema), 'utf8')).toBe(readFileSync(join(root, 'schema', 'canary-spec.schema.json'), 'utf8'));
      expect(run(['synth'], project)).toMatchObject({ status: 0, stderr: '' });
      expect(run(['synth', '--check'], project)).toMatchObject({ status: 0, stderr: '' });
      expect(run(['plan'], project).stdout).toContain('no release in progress: stable and canary run the same image');

      expect(run(['init'], project)).toMatchObject({ status: 2, stderr: `cdk8s-canary: canary.yaml exists already; init never replaces a file: give another with -c\n${HINT}\n` });
      expect(readFileSync(join(project, 'canary.yaml'), 'utf8')).toBe(text);
      const bad = run(['init', '-c', 'bad.yaml', '--name', 'Shop_1'], project);
      expect(bad.status).toBe(1);
      const rule = 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';
      // The options are at fault, not a file: none was written.
      expect(bad.stderr).toBe(`init wrote nothing: --name is "Shop_1": ${rule}\ninit wrote nothing: --namespace is "Shop_1": ${rule}\n`);
      expect(existsSync(join(project, 'bad.yaml'))).toBe(false);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, PROCESS_TEST_TIMEOUT);

  test('init --from writes a spec for a running app from its manifests, with no release in progress', () => {
    const project = tempDir('init-from');
    try {
      mkdirSync(join(project, 'deploy'));
      cpSync(join(root, 'examples', 'real-app', 'catalog.yaml'), join(project, 'deploy', 'catalog.yaml'));
      expect(run(['init', '--from', 'deploy/catalog.yaml'], project)).toMatchObject({ status: 0, stdout: 'init: wrote canary.yaml for app catalog; next: npx cdk8s-canary synth\n', stderr: '' });
      const text = readFileSync(join(project, 'canary.yaml'), 'utf8');
      // The Deployment's name and namespace; its app container (two run: the one named as the Deployment) and the image it runs.
      expect(text).toContain('  - name: catalog\n    namespace: shop\n    from: ./deploy/catalog.yaml   # ');
      expect(text).toContain('    container: catalog   # ');
      expect(text).toContain('    canary:\n      image: registry.example.com/catalog:2.4.0   # ');
      expect(text).not.toContain('securityProfile');
      expect(run(['synth'], project).status).toBe(0);
      const plan = JSON.parse(run(['plan', '--json'], project).stdout).apps[0];
      expect(plan).toMatchObject({ releaseInProgress: false, stable: { image: 'registry.example.com/catalog:2.4.0', replicas: 4 } });

      // A template that runs as root: baseline, said so; the options name the app and its container.
      writeFileSync(join(project, 'worker.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: jobs, namespace: batch }\nspec:\n  selector: { matchLabels: { app: jobs } }\n'
        + '  template:\n    metadata: { labels: { app: jobs } }\n    spec: { containers: [{ name: proxy, image: "envoy:1" }, { name: work, image: "jobs:7" }] }\n');
      expect(run(['init', '-c', 'jobs.yaml', '--from', 'worker.yaml'], project)).toMatchObject({ status: 2, stderr: `cdk8s-canary: the Deployment in worker.yaml has containers proxy, work: name the app's with --container\n${HINT}\n` });
      const jobs = run(['init', '-c', 'jobs.yaml', '--from', 'worker.yaml', '--container', 'work', '--name', 'queue'], project);
      expect(jobs.stdout).toBe('init: wrote jobs.yaml for app queue (securityProfile: baseline: its pod template breaks the restricted level); next: npx cdk8s-canary synth -c jobs.yaml\n');
      expect(readFileSync(join(project, 'jobs.yaml'), 'utf8')).toMatch(/name: queue\n {4}namespace: batch\n.*\n {4}container: work {3}# .*\n {4}securityProfile: baseline {3}# .*\n {4}canary:\n {6}image: jobs:7 {3}#/);
      expect(run(['synth', '-c', 'jobs.yaml'], project).status).toBe(0);

      expect(run(['init', '-c', 'x.yaml', '--from', 'worker.yaml', '--image', 'x:1'], project)).toMatchObject({ status: 2, stderr: `cdk8s-canary: --image does not go with --from: the manifests say what the app runs\n${HINT}\n` });
      expect(run(['init', '-c', 'x.yaml', '--from', 'missing.yaml'], project)).toMatchObject({ status: 1, stderr: `init wrote nothing: --from missing.yaml: ${join(project, 'missing.yaml')} does not exist\n` });
      expect(existsSync(join(project, 'x.yaml'))).toBe(false);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, PROCESS_TEST_TIMEOUT);

  test('plan shows the apps named, and --json the resolved plan as one document', () => {
    const examples = join(root, 'examples', 'routing.yaml');
    const some = run(['plan', 'nginx-istio', '-c', examples]);
    expect(some.stdout.split('\n').filter((line) => /^\S/.test(line)).map((line) => line.split(':')[0])).toEqual(['nginx-istio']);
    expect(run(['plan', 'nginx-isito', '-c', examples]).stderr).toBe(`cdk8s-canary: unknown app nginx-isito: did you mean nginx-istio?\n${HINT}\n`);

    const json = run(['plan', '--json', '-c', examples, '-o', 'examples/dist'], root);
    expect(json.status).toBe(0);
    const document = JSON.parse(json.stdout);
    expect(document.apps.map((app: { name: string }) => app.name)).toEqual(['nginx-gateway', 'nginx-istio', 'nginx-sticky', 'greeter']);
    const gateway = document.apps[0];
    expect(gateway).toMatchObject({ namespace: { name: 'dev-gateway', createdBy: 'nginx-gateway' }, releaseInProgress: true, currentStage: 'canary', routers: ['httproute'] });
    const listed = (service: string, track: string, count: number) => `{ ok=; for i in $(seq 60); do [ "$({ kubectl get pods -n dev-gateway -l app=nginx,track=${track} -o jsonpath='{range .items[*]}{.metadata.name}{"\\n"}{end}'; `
      + `kubectl get endpointslices -n dev-gateway -l kubernetes.io/service-name=${service} -o jsonpath='{range .items[*].endpoints[*]}{.conditions.ready}/{.targetRef.name}{"\\n"}{end}' | sed -n 's#^true/##p' | sort -u; } | sort | uniq -d | grep -c .)" -ge ${count} ] && { ok=1; break; }; sleep 1; done; `
      + `[ "$ok" ] || { echo 'Service ${service}: fewer than ${count} ${track} pods are ready endpoints after 60 s; traffic stays where it is' >&2; false; }; }`;
    // The route, accepted by its one parent at its current generation, before anything shrinks.
    const accepted = '{ ok=; for i in $(seq 60); do [ "$(kubectl get -n dev-gateway httproute/canary-demo -o jsonpath=\'{.metadata.generation}{"\\n"}{range .status.parents[*].conditions[?(@.type=="Accepted")]}{.status}/{.observedGeneration}{"\\n"}{end}\' '
      + '| awk \'NR == 1 { g = $0; next } $0 == "True/" g { n++ } END { print n + 0 }\')" -ge 1 ] && { ok=1; break; }; sleep 1; done; '
      + `[ "$ok" ] || { echo 'httproute/canary-demo is not accepted by its parent at its current generation after 60 s; nothing shrinks' >&2; false; }; }`;
    const rollback = [
      "kubectl apply -f examples/dist/nginx-gateway/stages/rollback.k8s.yaml -l 'app.kubernetes.io/component notin (router,verify,endpoint-check),track!=canary'",
      'kubectl rollout status -n dev-gateway deployment/nginx-deployment-v1',
      listed('canary-demo', 'stable', 3),
      listed('canary-demo-stable', 'stable', 3),
      'kubectl apply -f examples/dist/nginx-gateway/stages/rollback.k8s.yaml -l app.kubernetes.io/component=router',
      accepted,
      "kubectl apply -f examples/dist/nginx-gateway/stages/rollback.k8s.yaml -l 'app.kubernetes.io/component notin (verify,endpoint-check)'",
    ].join(' && ');
    const gate = (check: string) => `{ for i in $(seq 165); do s=" $(kubectl get -n dev-gateway job/nginx-gateway-${check} -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')"; `
      + `case "$s" in *" Complete "*|*" Failed "*) break;; esac; sleep 2; done; case "$s" in *" Complete "*) ;; *) kubectl logs -n dev-gateway job/nginx-gateway-${check}; ${rollback}; false;; esac; }`;
    expect(gateway.stages[1]).toEqual({
      name: 'canary',
      file: 'examples/dist/nginx-gateway/stages/02-canary.k8s.yaml',
      stableReplicas: 3,
      canaryReplicas: 1,
      canaryShare: 5,
      canaryWeight: 5,
      requestedPercent: 5,
      mirrorPercent: null,
      matchRules: true,
      syncWaves: { stable: 5, canary: 1 },
      autoscalers: { stable: null, canary: null },
      steps: [
        "kubectl apply -f examples/dist/nginx-gateway/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component notin (router,verify,endpoint-check),track!=stable'",
        'kubectl rollout status -n dev-gateway deployment/nginx-deployment-canary',
        // The canary's pod as a ready endpoint of the shared Service and of its own, the route's backend.
        listed('canary-demo', 'canary', 1),
        listed('canary-demo-canary', 'canary', 1),
        // The smoke check, before the route gives the canary its 5%.
        'kubectl delete job/nginx-gateway-smoke -n dev-gateway --ignore-not-found',
        "kubectl apply -f examples/dist/nginx-gateway/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component=verify,cdk8s-canary/check!=analysis'",
        gate('smoke'),
        'kubectl apply -f examples/dist/nginx-gateway/stages/02-canary.k8s.yaml -l app.kubernetes.io/component=router',
        accepted,
        "kubectl apply -f examples/dist/nginx-gateway/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component notin (verify,endpoint-check)'",
        'kubectl delete job/nginx-gateway-verify -n dev-gateway --ignore-not-found',
        "kubectl apply -f examples/dist/nginx-gateway/stages/02-canary.k8s.yaml -l 'app.kubernetes.io/component=verify,cdk8s-canary/check!=smoke'",
        gate('verify'),
      ],
    });
    expect(gateway.stages.map((stage: { name: string }) => stage.name)).toEqual(['baseline', 'canary', 'quarter', 'expand', 'promote', 'rollback']);
  }, PROCESS_TEST_TIMEOUT);

  test('synth --plan prints each warning once, and counts are plural only when they should be', () => {
    const out = join(dir, 'dist');
    const result = run(['synth', '--plan', '-c', spec, '-o', out]);
    expect(result.status).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('warning:'))).toHaveLength(1);
    expect(result.stdout).toMatch(/^synth: 1 app, 6 files written, 0 unchanged, 0 removed, in [\d.]+ s/);
    expect(result.stdout).toContain('\nnginx: namespace dev (created by these files)');
    writeFileSync(join(out, 'nginx', 'stages', 'rollback.k8s.yaml'), readFileSync(join(out, 'nginx', 'stages', 'rollback.k8s.yaml'), 'utf8').replace('replicas: 3', 'replicas: 2'));
    expect(run(['synth', '-c', spec, '-o', out]).stdout).toMatch(/^synth: 1 app, 1 file written, 5 unchanged, 0 removed/);
  }, PROCESS_TEST_TIMEOUT);

  test('after finish, plan says no release is in progress', async () => {
    const copy = join(dir, 'finished.yaml');
    writeFileSync(copy, readFileSync(spec, 'utf8').replace('stage: baseline', 'stage: promote'));
    expect(run(['finish', 'nginx', '-c', copy]).status).toBe(0);
    expect(run(['plan', '-c', copy]).stdout.split('\n')[1]).toBe('  no release in progress: stable and canary run the same image and config; set canary.image or canary config to start one');
  }, PROCESS_TEST_TIMEOUT);
});

describe('the bin', () => {
  test('exits 1 with a one-line error and no stack trace', () => {
    const result = runBin(['synth', '-c', join(dir, 'missing.yaml')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${join(dir, 'missing.yaml')}: cannot read the spec: no such file\n`);
  }, PROCESS_TEST_TIMEOUT);

  test('cdk8s synth reports bad input with the same line as the CLI and writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apps:\n  - name: web\n    namespace: dev\n    stable: { image: "web:1", replica: 2 }\n    canary: { image: "web:2" }\n');
    const out = join(dir, 'cdk8s-bad');
    const result = runCommand([join(root, 'node_modules', '.bin', 'cdk8s'), 'synth', '-o', out], { cwd: root, env: { CDK8S_CANARY_SPEC: bad } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${bad}:4:31: "apps[0].stable.replica" is not a known key: did you mean replicas? allowed keys here are name, image, replicas, env, config, secretEnvFrom, secretMounts, autoscaling\n`);
    expect(existsSync(out)).toBe(false);
  }, PROCESS_TEST_TIMEOUT);

  test('cdk8s synth runs the same engine and writes the same files', () => {
    const out = join(dir, 'cdk8s-out');
    const result = runCommand([join(root, 'node_modules', '.bin', 'cdk8s'), 'synth', '-o', out], { cwd: root });
    expect(result.status).toBe(0);
    expect(files(out)).toEqual(files(join(root, 'dist')));
    // The same bytes but the spec's path, which each file records relative to its folder.
    const spec = relative(out, join(root, 'canary.yaml'));
    for (const file of files(out)) {
      expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(root, 'dist', file), 'utf8').replace('# spec: ../canary.yaml\n', `# spec: ${spec}\n`));
    }
    // And they are what the CLI writes for that folder.
    expect(runBin(['synth', '--check', '-o', out], { cwd: root }).status).toBe(0);
  }, PROCESS_TEST_TIMEOUT);
});

describe('terminal-safe output', () => {
  test('a user\'s words in a message never act on the terminal nor forge a line: control and direction characters are escaped', () => {
    const dir = tempDir('terminal');
    try {
      writeFileSync(join(dir, 'canary.yaml'), 'apps:\n  - name: web\n    namespace: web\n    from: "a\\u001b[2Jb.yaml"\n    stable: { image: "web:1" }\n    canary: { image: "web:2" }\n');
      const runs = [
        runBin(['pl\u001b]0;owned\u0007an'], { cwd: dir }),
        runBin(['plan', '--x\u001b[2J'], { cwd: dir }),
        runBin(['verify', 'web', 'st\u202eage', 'more'], { cwd: dir }),
        runBin(['bad\nforged: a line of its own'], { cwd: dir }),
        runBin(['synth'], { cwd: dir }),
      ];
      for (const ran of runs) {
        expect(ran.status).not.toBe(0);
        // eslint-disable-next-line no-control-regex
        expect(ran.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        expect(ran.stderr.split('\n').some((line) => line.startsWith('forged'))).toBe(false);
      }
      expect(runs[0].stderr).toContain('unknown command "pl\\u001b]0;owned\\u0007an"');
      expect(runs[4].stderr).toContain('"apps[0].from" is "a\\u001b[2Jb.yaml": ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TEST_TIMEOUT);

  test('a spec, or a from file, that is not UTF-8 is refused with its line, and finish leaves its bytes as they were', () => {
    const dir = tempDir('latin1');
    try {
      const latin1 = Buffer.from('apps:\n  - name: web  # caf\xe9\n    namespace: web\n    stable: { image: "web:1" }\n    canary: { image: "web:2" }\n', 'latin1');
      writeFileSync(join(dir, 'canary.yaml'), latin1);
      for (const args of [['finish', 'web'], ['synth'], ['plan']]) {
        const ran = runBin(args, { cwd: dir });
        expect([ran.status, ran.stderr]).toEqual([1, 'canary.yaml:2:1: the spec is not UTF-8 text, as a YAML file must be: save it as UTF-8; nothing was written\n']);
      }
      expect(readFileSync(join(dir, 'canary.yaml')).equals(latin1)).toBe(true);
      writeFileSync(join(dir, 'canary.yaml'), 'apps:\n  - name: web\n    namespace: web\n    from: app.yaml\n    canary: { image: "web:2" }\n');
      writeFileSync(join(dir, 'app.yaml'), Buffer.from('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers: [{ name: web, image: "web:1", env: [{ name: CITY, value: "Z\xfcrich" }] }]\n', 'latin1'));
      const from = runBin(['synth'], { cwd: dir });
      expect([from.status, from.stderr]).toEqual([1, 'app.yaml:7:1: the file is not UTF-8 text, as a YAML file must be: save it as UTF-8; nothing was written\n']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, PROCESS_TEST_TIMEOUT);
});
