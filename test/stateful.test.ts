import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { CanaryApp, CanaryRelease } from '../src';
import { finishedApp } from '../src/engine/finish';
import { stageSteps, stepsScript, type KubectlStep } from '../src/engine/kubectl-steps';
import { formatPlan, planDocument } from '../src/engine/plan-report';
import { loadSpec } from '../src/engine/load';
import {
  canaryOrdinals, partition, readyFloor, replacedOrdinals, statefulCanaryPods, statefulMoves, statefulStages, templateTrack, trackPods, type StatefulApp,
} from '../src/model/stateful';
import type { ResolvedStage } from '../src/model/stage';
import { CompareTrack, Strategy, WorkloadKind, type AppSpec } from '../src/spec/types';
import { find, problemsOf, renderOne, resolveOne } from './stage-files';
import { parseManifests, type Manifest } from './cluster-rules';
import { simulateRollingUpdate } from './stateful-sim';
import { cli, files, tempDir } from './helpers';
import { close, fakePrometheus, sample, series } from './gate-servers';
import { checkRunner } from '../src/constructs/check-code';
import { verifyChecks } from '../src/model/gate';

const folder = join(__dirname, '..', 'examples', 'stateful');
const [storeSpec] = loadSpec(join(folder, 'canary.yaml')).spec.apps;
const store = resolveOne(storeSpec, folder);
const plain: AppSpec = { name: 'cache', namespace: 'data', workload: WorkloadKind.STATEFUL_SET, port: 6379, stable: { image: 'valkey/valkey:8.0.2', replicas: 5 }, canary: { image: 'valkey/valkey:8.1.1' } };

/** Each stage's objects, by stage name. */
function stages(app: AppSpec, baseDir?: string): Map<string, Manifest[]> {
  return new Map(renderOne(app, baseDir).filter((file) => file.path.includes('/stages/'))
    .map((file) => [file.path.replace(/^.*\/(\d+-)?|\.k8s\.yaml$/g, ''), parseManifests(file.content)]));
}
const storeStages = stages(storeSpec, folder);
const stage = (name: string): ResolvedStage => store.plan.stages.find((each) => each.name === name)!;
const app = store.spec as StatefulApp;

describe('the math (model/stateful.ts)', () => {
  test.each([
    [1, [[1, 0], [0, 1]]],
    [2, [[2, 0], [1, 1], [0, 2]]],
    [3, [[3, 0], [2, 1], [1, 2], [0, 3]]],
    [5, [[5, 0], [4, 1], [2, 3], [0, 5]]],
  ])('the default plan of %i pods', (size, counts) => {
    expect(statefulStages(size).map((each) => [each.stableReplicas, each.canaryReplicas])).toEqual(counts);
  });

  test.each([
    [25, 3, 1], [50, 3, 2], [90, 3, 2], [100, 3, 3], [0, 3, 0], [5, 10, 1], [1, 3, 1], [99, 3, 2],
  ])('%i%% of %i pods is %i canary pods', (percent, size, pods) => {
    expect(statefulCanaryPods(percent, size)).toBe(pods);
  });

  test('partition and template by stage: stable\'s count and the canary\'s template where it runs; rollback at 0 with stable\'s', () => {
    expect(store.plan.stages.map((each) => [each.name, partition(each), templateTrack(each)])).toEqual([
      ['baseline', 3, 'stable'], ['canary', 2, 'canary'], ['expand', 1, 'canary'], ['promote', 0, 'canary'], ['rollback', 0, 'stable'],
    ]);
  });

  test('the canary is the highest ordinals, from the first ordinal the StatefulSet gives', () => {
    expect(canaryOrdinals(app, 2)).toEqual([2, 1]);
    expect(canaryOrdinals({ ...app, statefulSet: { ...app.statefulSet, firstOrdinal: 10 } }, 1)).toEqual([12]);
  });

  test('the pods each move replaces, highest first, and the fewest ready while it runs', () => {
    expect(statefulMoves(app, store.plan).map(({ move, replaced, readyFloor: floor }) => `${move.kind} ${move.from.name}->${move.to.name} [${replaced}] ${floor}`)).toEqual([
      'next baseline->canary [2] 2', 'next canary->expand [1] 2', 'next expand->promote [0] 2',
      'rollback baseline->rollback [] 3', 'rollback canary->rollback [2] 2', 'rollback expand->rollback [2,1] 2', 'rollback promote->rollback [2,1,0] 2',
      'finish promote->baseline [] 3',
    ]);
    // With maxUnavailable 2 (where the cluster honours it), two may be out at once.
    const wider = { ...app, statefulSet: { ...app.statefulSet, maxUnavailable: 2 } };
    expect([readyFloor(wider, 1), readyFloor(wider, 3), readyFloor(app, 3)]).toEqual([2, 1, 2]);
    expect(replacedOrdinals(app, { kind: 'next', from: stage('canary'), to: stage('promote') })).toEqual([1, 0]);
  });
});

describe('the StatefulSet controller\'s rolling update (test/stateful-sim.ts) against what plan states', () => {
  test.each(statefulMoves(app, store.plan).map((each) => [`${each.move.kind} ${each.move.from.name} -> ${each.move.to.name}`, each] as const))('%s', (_label, { move, replaced, readyFloor: floor }) => {
    const canaryBefore = move.kind === 'finish' ? 3 : move.from.canaryReplicas;
    const simulated = simulateRollingUpdate(3, canaryBefore, move.kind === 'next' ? move.to.canaryReplicas : 0, move.kind === 'finish' ? 'canary' : templateTrack(move.to));
    expect(simulated.replaced).toEqual(replaced);
    expect(simulated.fewestReady).toBe(floor);
  });

  test('control: a controller that replaced two pods at once would go below the stated floor', () => {
    const move = statefulMoves(app, store.plan).find((each) => each.move.kind === 'rollback' && each.move.from.name === 'promote')!;
    expect(simulateRollingUpdate(3, 3, 0, 'stable', 2).fewestReady).toBeLessThan(move.readyFloor);
  });
});

describe('the files', () => {
  const statefulSetOf = (name: string) => find(storeStages.get(name)!, 'StatefulSet', 'store');

  test('one StatefulSet: the file\'s settings kept, the stage\'s partition, the canary\'s template from the first stage with canary pods', () => {
    const rows = [...storeStages.keys()].map((name) => {
      const set = statefulSetOf(name);
      return [name, set.spec.updateStrategy.rollingUpdate.partition, set.spec.template.spec.containers[0].image, set.spec.replicas];
    });
    expect(rows).toEqual([
      ['baseline', 3, 'valkey/valkey:8.0.2', 3], ['canary', 2, 'valkey/valkey:8.1.1', 3], ['expand', 1, 'valkey/valkey:8.1.1', 3],
      ['promote', 0, 'valkey/valkey:8.1.1', 3], ['rollback', 0, 'valkey/valkey:8.0.2', 3],
    ]);
    const set = statefulSetOf('canary');
    expect(set.spec).toMatchObject({
      serviceName: 'store-headless', podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: 'store' } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    });
    expect(set.metadata.labels['app.kubernetes.io/part-of']).toBe('shop');
    // No track label on the pods: one StatefulSet runs both tracks.
    expect(set.spec.template.metadata.labels.track).toBeUndefined();
  });

  test('finish restarts no pod: the finished release\'s first stage runs the promote stage\'s template, byte for byte', () => {
    const finished = stages(finishedApp(storeSpec, 'baseline'), folder);
    const template = (docs: Manifest[]) => find(docs, 'StatefulSet', 'store').spec.template;
    expect(template(finished.get('baseline')!)).toEqual(template(storeStages.get('promote')!));
  });

  test('the headless Service as the file has it, the Service of both tracks, and the canary\'s Service on the highest ordinal', () => {
    const docs = storeStages.get('canary')!;
    expect(find(docs, 'Service', 'store-headless').spec).toEqual({ clusterIP: 'None', selector: { app: 'store' }, ports: [{ name: 'valkey', port: 6379, targetPort: 'valkey' }] });
    expect(find(docs, 'Service', 'store').spec.selector).toEqual({ app: 'store' });
    expect(find(docs, 'Service', 'store-canary').spec.selector).toEqual({ app: 'store', 'apps.kubernetes.io/pod-index': '2' });
    expect(find(docs, 'PodDisruptionBudget', 'store').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'store' } } });
  });

  test('the revert Job only at rollback, a Sync hook beside the StatefulSet; its Role reads the StatefulSet by name and lists and deletes pods', () => {
    for (const [name, docs] of storeStages) expect([name, docs.some((doc) => doc.kind === 'Job' && doc.metadata.name === 'store-revert')]).toEqual([name, name === 'rollback']);
    const docs = storeStages.get('rollback')!;
    const job = find(docs, 'Job', 'store-revert');
    expect(job.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '1' });
    expect(JSON.parse(job.spec.template.spec.containers[0].args[0])).toEqual({ namespace: 'shop', statefulSet: 'store', seconds: 900 });
    expect(find(docs, 'Role', 'store-revert').rules).toEqual([
      { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: ['store'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] },
    ]);
    // In every stage, so a sync never prunes what the next one runs as.
    for (const each of storeStages.values()) expect(find(each, 'Role', 'store-revert')).toBeDefined();
  });

  test('a config both tracks share is one ConfigMap, named the same for either, so finish changes no pod', () => {
    const config = { mountPath: '/etc/valkey', files: { 'valkey.conf': { content: 'maxmemory 64mb\n' } } };
    const withConfig: AppSpec = { ...plain, stable: { ...plain.stable, config }, canary: { ...plain.canary, config } };
    const docs = stages(withConfig).get('canary')!;
    expect(docs.filter((doc) => doc.kind === 'ConfigMap' && doc.metadata.name.startsWith('cache-config-')).map((doc) => doc.metadata.name)).toHaveLength(1);
    const changed: AppSpec = { ...withConfig, canary: { ...withConfig.canary, config: { ...config, files: { 'valkey.conf': { content: 'maxmemory 96mb\n' } } } } };
    expect(stages(changed).get('canary')!.filter((doc) => doc.kind === 'ConfigMap' && doc.metadata.name.startsWith('cache-config-'))).toHaveLength(2);
  });

  test('made from the spec\'s keys: a headless Service of its own, a ClusterIP Service, and the default plan', () => {
    const docs = stages(plain).get('canary')!;
    expect(find(docs, 'Service', 'cache-headless').spec).toMatchObject({ clusterIP: 'None', selector: { app: 'cache' } });
    expect(find(docs, 'Service', 'cache').spec.type).toBe('ClusterIP');
    expect(find(docs, 'StatefulSet', 'cache').spec).toMatchObject({ serviceName: 'cache-headless', replicas: 5, updateStrategy: { rollingUpdate: { partition: 4 } } });
    expect([...stages(plain).keys()]).toEqual(['baseline', 'canary', 'expand', 'promote', 'rollback']);
  });
});

describe('the kubectl steps', () => {
  const steps = (name: string): KubectlStep[] => stageSteps(store.spec, store.plan, stage(name), 'dist');
  const brief = (step: KubectlStep): string => (step.verb === 'apply' ? `apply ${step.selector}` : step.verb === 'rollout' ? `rollout ${step.timeoutSeconds}${step.rollback ? ' or rollback' : ''}`
    : step.verb === 'endpoints' ? `endpoints ${step.service} ${step.count}` : step.verb === 'gate' ? `gate ${step.job}` : step.verb);

  test('a canary stage: the file but the Jobs, the rolling update (or rollback), its pods as endpoints, the gate', () => {
    expect(steps('canary').map(brief)).toEqual([
      'apply app.kubernetes.io/component notin (verify,endpoint-check)', 'rollout 900 or rollback', 'endpoints store 3', 'endpoints store-canary 1',
      'delete', 'apply app.kubernetes.io/component=verify,cdk8s-canary/check!=smoke', 'gate store-verify',
    ]);
  });

  test('rollback: the revert of pods that never turned Ready, before the rolling update', () => {
    expect(steps('rollback').map(brief)).toEqual(['apply app.kubernetes.io/component notin (verify,endpoint-check,revert)', 'revert', 'rollout 900', 'endpoints store 3']);
    const script = stepsScript('rollback', steps('rollback'), 'shop');
    expect(script).toContain('# Turn back the canary\'s pods, 900 s at most: delete those of statefulset/store that run another revision than its update revision and are not Ready');
    expect(script).toContain('{range .items[*]}{.metadata.name}/{.metadata.ownerReferences[?(@.kind=="StatefulSet")].name}/{.metadata.labels.controller-revision-hash}/');
  });
});

describe('plan', () => {
  test('states the pods each move replaces and the fewest ready pods, never full capacity where a pod restarts', () => {
    const text = formatPlan(store.spec, store.plan, 'dist');
    expect(text).toContain('    baseline -> canary: replaces store-2; ready pods never below 2 of 3');
    expect(text).toContain('    rollback: expand -> rollback: replaces store-2, store-1; ready pods never below 2 of 3');
    expect(text).toContain('    finish: promote -> baseline: replaces none; ready pods never below 3 of 3');
    expect(text).toContain('claims data: each pod keeps its own through every move');
    expect(planDocument(store.spec, store.plan, 'dist').statefulSet?.moves[0]).toEqual({ kind: 'next', from: 'baseline', to: 'canary', replaced: ['store-2'], readyFloor: 2 });
    // The baseline column: the stable pods the canary is compared with.
    expect(text).toMatch(/\n {2}canary +2 +1 +33\.3% +\[#+-+\] +store-1\n {2}expand +1 +2 +66\.7% +\[#+-+\] +store-0\n/);
    expect(planDocument(store.spec, store.plan, 'dist').stages[2].pods).toEqual({ canary: 'store-2|store-1', baseline: 'store-0', stable: 'store-0' });
  });
});

describe('refused, with the field, the value and why', () => {
  test.each([
    ['routing', { ...plain, routing: { istio: {} } }, 'apps.0.routing: is ["istio"]: a StatefulSet\'s traffic splits by its pods through the Service'],
    ['blue/green', { ...plain, strategy: Strategy.BLUE_GREEN }, 'apps.0.strategy: is "blueGreen": a StatefulSet\'s pods keep their names and claims'],
    ['an autoscaler', { ...plain, stable: { ...plain.stable, autoscaling: { maxReplicas: 8 } } }, 'apps.0.stable.autoscaling: is {"maxReplicas":8}: a StatefulSet\'s size is fixed through a release'],
    ['another canary size', { ...plain, canary: { ...plain.canary, replicas: 2 } }, 'apps.0.canary.replicas: is 2: one StatefulSet of 5 pods runs both tracks'],
    ['a query that names $track', { ...plain, verify: { prometheus: { url: 'http://prometheus:9090', queries: [{ name: 'q', query: 'q{track="$track"}', compare: CompareTrack.STABLE }] } } },
      'apps.0.verify.prometheus.queries.0.query: is "q{track=\\"$track\\"}": a StatefulSet\'s pods carry no track label'],
    ['$pods in an app of Deployments', { ...plain, workload: WorkloadKind.DEPLOYMENT, verify: { prometheus: { url: 'http://prometheus:9090', queries: [{ name: 'q', query: 'q{pod=~"$pods"}', max: 1 }] } } },
      'apps.0.verify.prometheus.queries.0.query: is "q{pod=~\\"$pods\\"}": $pods names a StatefulSet app\'s pods of a track; this app runs Deployments'],
    ['counts that are no partition', { ...plain, stages: [{ name: 'a', stableReplicas: 5, canaryReplicas: 1 }] },
      'apps.0.stages.0: runs 5 stable and 1 canary replicas: one StatefulSet of 5 pods runs both tracks, so they must add up to 5'],
    ['a canary that shrinks', { ...plain, stages: [{ name: 'a', stableReplicas: 3, canaryReplicas: 2 }, { name: 'b', stableReplicas: 4, canaryReplicas: 1 }] },
      'apps.0.stages.1: runs 1 canary replicas, fewer than a\'s 2: a StatefulSet\'s pods below a raised partition keep the canary\'s revision'],
    ['a name the revision label cannot hold', { ...plain, name: 'c'.repeat(53) }, `apps.0.name: is "${'c'.repeat(53)}": a StatefulSet's name must be at most 52 characters`],
  ])('%s', (_what, given, message) => {
    expect(problemsOf(given as AppSpec).some((problem) => problem.startsWith(message))).toBe(true);
  });
});

describe('the library', () => {
  test('CanaryApp: the StatefulSet (also as stable), its headless Service, the canary\'s Service, the revert Job at rollback', () => {
    const chart = new Chart(new App(), 'c');
    const made = new CanaryApp(chart, 'cache', { ...plain, stage: 'rollback' });
    expect([made.statefulSet?.kind, made.stable === made.statefulSet, made.headlessService?.name, made.revertJob?.name, made.canary]).toEqual(['StatefulSet', true, 'cache-headless', 'cache-revert', undefined]);
    expect(new CanaryApp(new Chart(new App(), 'd'), 'cache', { ...plain, stage: 'canary' }).revertJob).toBeUndefined();
  });

  test('CanaryRelease: the partition of every stage, as the CLI writes it', () => {
    const release = new CanaryRelease(new App(), 'cache', plain);
    expect(release.stages.map((each) => [each.name, each.app.statefulSet!.toJson().spec.updateStrategy.rollingUpdate.partition])).toEqual([
      ['baseline', 5], ['canary', 4], ['expand', 2], ['promote', 0], ['rollback', 0],
    ]);
  });
});

describe('from a file', () => {
  const inFolder = (edit: (text: string) => string, spec: (text: string) => string = (text) => text) => {
    const dir = tempDir('stateful');
    writeFileSync(join(dir, 'store.yaml'), edit(readFileSync(join(folder, 'store.yaml'), 'utf8')));
    writeFileSync(join(dir, 'canary.yaml'), spec(readFileSync(join(folder, 'canary.yaml'), 'utf8')));
    return dir;
  };
  const problems = (dir: string) => {
    try {
      loadSpec(join(dir, 'canary.yaml'));
    } catch (error) {
      return (error as Error).message;
    }
    return '';
  };

  test('an OnDelete strategy is refused: no partition would move the canary', () => {
    const dir = inFolder((text) => text.replace('  podManagementPolicy: OrderedReady', '  podManagementPolicy: OrderedReady\n  updateStrategy:\n    type: OnDelete'));
    expect(problems(dir)).toContain('"apps[0].from" is "updateStrategy: OnDelete": under OnDelete the controller replaces no pod, so no partition moves the canary');
  });

  test('workload: Deployment with a StatefulSet\'s file, and a Deployment\'s file with workload: StatefulSet, are refused', () => {
    expect(problems(inFolder((text) => text, (text) => text.replace('    from: ./store.yaml', '    workload: Deployment\n    from: ./store.yaml'))))
      .toContain('"apps[0].workload" is "Deployment": the `from` file holds the app\'s StatefulSet; set workload: StatefulSet, or leave workload out');
    const deployment = inFolder((text) => text.replace('kind: StatefulSet', 'kind: Deployment').replace(/  serviceName: store-headless\n  podManagementPolicy: OrderedReady\n/, '')
      .replace(/  persistentVolumeClaimRetentionPolicy:\n.*\n.*\n/, '').replace(/  volumeClaimTemplates:[\s\S]*?storage: 1Gi\n/, '').replace(/          volumeMounts:\n.*\n.*\n/, ''), (text) => text.replace('    from: ./store.yaml', '    workload: StatefulSet\n    from: { file: ./store.yaml, service: store }'));
    expect(problems(deployment)).toContain('"apps[0].workload" is "StatefulSet": the `from` file holds a Deployment: give the app\'s StatefulSet with its headless Service, or leave workload out');
  });

  test('a change a running StatefulSet cannot take, against the files written before, is refused with what to do; nothing is written', async () => {
    const dir = inFolder((text) => text);
    expect((await cli('synth', '-c', join(dir, 'canary.yaml'), '-o', join(dir, 'dist'))).code).toBe(0);
    const before = files(join(dir, 'dist')).map((file) => readFileSync(join(dir, 'dist', file), 'utf8'));
    writeFileSync(join(dir, 'store.yaml'), readFileSync(join(dir, 'store.yaml'), 'utf8').replace('storage: 1Gi', 'storage: 2Gi').replace('canary: { image: valkey/valkey:8.1.1 }', ''));
    const result = await cli('synth', '-c', join(dir, 'canary.yaml'), '-o', join(dir, 'dist'));
    expect(result.code).toBe(1);
    expect(result.err).toContain('"apps[0].from" gives the StatefulSet spec.volumeClaimTemplates [{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"2Gi"}}}}], where ');
    expect(result.err).toContain('the API server refuses a change of volumeClaimTemplates in a running StatefulSet; a change would never reach the claims its pods have anyway');
    expect(files(join(dir, 'dist')).map((file) => readFileSync(join(dir, 'dist', file), 'utf8'))).toEqual(before);
    // Control: the same file again is written.
    cpSync(join(folder, 'store.yaml'), join(dir, 'store.yaml'));
    expect((await cli('synth', '-c', join(dir, 'canary.yaml'), '-o', join(dir, 'dist'))).code).toBe(0);
  });
});

describe('the gate of a StatefulSet: $pods', () => {
  const compared: AppSpec = {
    ...plain,
    verify: {
      baseline: true,
      prometheus: {
        url: 'http://prometheus:9090',
        queries: [
          { name: 'errors', query: 'errors{pod=~"$pods"}', max: 0 },
          { name: 'latency', query: 'latency{pod=~"$pods"}', compare: CompareTrack.BASELINE },
        ],
      },
    },
  };

  test('each track\'s pods in a stage: the canary\'s highest ordinals, the baseline the highest stable ones, as many', () => {
    const { spec, plan } = resolveOne(compared);
    expect(plan.stages.map((each) => [each.name, trackPods(spec as StatefulApp, each)])).toEqual([
      ['baseline', { canary: 'cache-none', baseline: 'cache-none', stable: 'cache-4|cache-3|cache-2|cache-1|cache-0' }],
      ['canary', { canary: 'cache-4', baseline: 'cache-3', stable: 'cache-3|cache-2|cache-1|cache-0' }],
      ['expand', { canary: 'cache-4|cache-3|cache-2', baseline: 'cache-1|cache-0', stable: 'cache-1|cache-0' }],
      ['promote', { canary: 'cache-4|cache-3|cache-2|cache-1|cache-0', baseline: 'cache-none', stable: 'cache-none' }],
      ['rollback', { canary: 'cache-none', baseline: 'cache-none', stable: 'cache-4|cache-3|cache-2|cache-1|cache-0' }],
    ]);
  });

  test('the gate Job of each stage carries them; the check code fills $pods with them, each track in turn', async () => {
    const job = find(stages(compared).get('expand')!, 'Job', 'cache-verify');
    const env = job.spec.template.spec.containers[0].env;
    const pods = JSON.parse(env.find((each: { name: string }) => each.name === 'TRACK_PODS').value);
    expect(pods).toEqual({ canary: 'cache-4|cache-3|cache-2', baseline: 'cache-1|cache-0', stable: 'cache-1|cache-0' });
    const { spec } = resolveOne(compared);
    const fake = await fakePrometheus({
      'errors{pod=~"cache-4|cache-3|cache-2"}': [sample('0')],
      'latency{pod=~"cache-4|cache-3|cache-2"}': [series([1, 1, 1, 1, 1, 1])],
      'latency{pod=~"cache-1|cache-0"}': [series([1, 1, 1, 1, 1, 1])],
    });
    try {
      const results = await checkRunner().runChecks(verifyChecks(spec, spec.verify!), { prometheusUrl: fake.url, pods });
      expect(results.map((result) => [result.check, result.verdict])).toEqual([['prometheus errors', 'pass'], ['prometheus latency', 'pass']]);
      expect([...new Set(fake.asked.map((each) => each.query))].sort()).toEqual(['errors{pod=~"cache-4|cache-3|cache-2"}', 'latency{pod=~"cache-1|cache-0"}', 'latency{pod=~"cache-4|cache-3|cache-2"}']);
      // Control: without the pods, a query that names them measures nothing and fails closed.
      const unnamed = await checkRunner().runChecks(verifyChecks(spec, spec.verify!), { prometheusUrl: fake.url }).catch((error: Error) => error.message);
      expect(unnamed).toContain('query "errors" names $pods, a StatefulSet\'s pods of each track, and no pods are given');
    } finally {
      await close(fake.server);
    }
  });
});
