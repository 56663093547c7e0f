/**
 * synth against the real API server and Pod Security admission, differentially: a seeded generator
 * makes pod templates from a valid one by mutations (some valid, most of them a rule the API server
 * or a Pod Security level holds: names, ports, env, probes, quantities, restart policy, labels,
 * every Pod Security check); each goes through synth's resolve and render, and each Deployment synth
 * writes is sent to the API server with dryRun=All, and its pod to Pod Security admission, in a
 * namespace enforcing the app's level. No case synth accepts may be refused there; every case synth
 * refuses says the rule. The counts go to the report.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../src/render/synth';
import { SpecError } from '../src/spec/problems';
import { parseManifests, type Manifest } from '../test/cluster-rules';
import { kubectl, post } from './kube';

const SEED = 20261205;
const CASES = 5000;
const LEVELS = ['restricted', 'baseline'] as const;

/** mulberry32: a small seeded generator, so that a failing case can be made again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Data = { [key: string]: any };
type Mutation = (pod: Data, pick: <T>(items: readonly T[]) => T) => void;

/** What restricted requires of a container, as a chart that meets it declares. */
const RESTRICTED_CONTAINER = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

/** A template valid at both levels as it is: an app container and a sidecar, a volume, ports, env, probes, resources. */
function base(): Data {
  return {
    metadata: { labels: { 'app.kubernetes.io/part-of': 'shop' }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      securityContext: { runAsUser: 10001, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      volumes: [{ name: 'cache', emptyDir: {} }],
      containers: [
        {
          name: 'web', image: 'registry.example/web:1.0',
          ports: [{ name: 'http', containerPort: 8080 }],
          env: [{ name: 'MODE', value: 'prod' }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
          securityContext: RESTRICTED_CONTAINER(),
        },
        { name: 'log', image: 'registry.example/log:2.1', resources: { requests: { cpu: '10m' } }, securityContext: RESTRICTED_CONTAINER() },
      ],
    },
  };
}

const app = (pod: Data) => pod.spec.containers[0];
const anyContainer = (pod: Data, pick: <T>(items: readonly T[]) => T) => pick(pod.spec.containers as Data[]);
const context = (container: Data) => (container.securityContext ??= {});

/** Mutations, each named: a valid change, or one rule broken. */
const MUTATIONS: Record<string, Mutation> = {
  'valid: env': (pod, pick) => { app(pod).env.push({ name: pick(['LOG_LEVEL', 'my.setting', 'A-B']), value: '1' }); },
  'valid: named port': (pod) => { app(pod).ports.push({ name: 'metrics', containerPort: 9090 }); },
  'valid: volume and mount': (pod) => { pod.spec.volumes.push({ name: 'scratch', emptyDir: { medium: 'Memory' } }); app(pod).volumeMounts.push({ name: 'scratch', mountPath: '/scratch' }); },
  'valid: label': (pod, pick) => { pod.metadata.labels[pick(['team', 'example.com/owner', 'a_b.c'])] = pick(['storefront', '', 'v1.2_3']); },
  'valid: quantities': (pod, pick) => { app(pod).resources = { requests: { cpu: pick(['0.5', '250m', '1']), memory: pick(['1Gi', '128M', '1e9']) }, limits: { memory: '2Gi' } }; },
  'valid: safe sysctl': (pod, pick) => { pod.spec.securityContext.sysctls = [{ name: pick(['net.ipv4.tcp_syncookies', 'net.ipv4.ip_local_port_range', 'kernel.shm_rmid_forced']), value: '1' }]; },
  'valid: SELinux type': (pod, pick) => { pod.spec.securityContext.seLinuxOptions = { type: pick(['container_t', 'container_init_t']), level: 's0:c123,c456' }; },
  'valid: AppArmor runtime default': (pod) => { context(app(pod)).appArmorProfile = { type: 'RuntimeDefault' }; },
  'container name not a DNS label': (pod, pick) => { anyContainer(pod, pick).name = pick(['Web App', 'web_app', '-web', 'x'.repeat(64)]); },
  'duplicate container name': (pod) => { pod.spec.containers[1].name = 'web'; },
  'init container named as a container': (pod) => { pod.spec.initContainers = [{ name: 'log', image: 'registry.example/migrate:1', securityContext: RESTRICTED_CONTAINER() }]; },
  'volume name not a DNS label': (pod, pick) => { const name = pick(['Cache', 'cache-', 'v'.repeat(64)]); pod.spec.volumes[0].name = name; app(pod).volumeMounts[0].name = name; },
  'duplicate volume name': (pod) => { pod.spec.volumes.push({ name: 'cache', emptyDir: {} }); },
  'mount of an unknown volume': (pod) => { app(pod).volumeMounts.push({ name: 'nowhere', mountPath: '/nowhere' }); },
  'path mounted twice': (pod) => { pod.spec.volumes.push({ name: 'other', emptyDir: {} }); app(pod).volumeMounts.push({ name: 'other', mountPath: '/cache' }); },
  'port number out of range': (pod, pick) => { app(pod).ports[0].containerPort = pick([0, 70000, -1]); },
  'port name invalid': (pod, pick) => { app(pod).ports[0].name = pick(['http_port', 'a--b', 'averylongportname', '8080', '-http']); },
  'duplicate port name': (pod) => { app(pod).ports.push({ name: 'http', containerPort: 8081 }); },
  'env name invalid': (pod, pick) => { app(pod).env.push({ name: pick(['A=B', '', 'caf\u00e9']), value: '1' }); },
  'env value with valueFrom': (pod) => { app(pod).env.push({ name: 'POD', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }); },
  'valueFrom with two sources or none': (pod, pick) => {
    app(pod).env.push({ name: 'POD', valueFrom: pick([{}, { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } }]) });
  },
  'probe with two handlers': (pod) => { app(pod).readinessProbe.tcpSocket = { port: 8080 }; },
  'probe without a handler': (pod) => { app(pod).livenessProbe = { periodSeconds: 10 }; },
  'quantity invalid': (pod, pick) => { app(pod).resources.requests.cpu = pick(['banana', '-1', '1.5.5', '0x10', '1.5.5Gi']); },
  'request above its limit': (pod) => { app(pod).resources.requests.memory = '512Mi'; },
  'restartPolicy not Always': (pod, pick) => { pod.spec.restartPolicy = pick(['Never', 'OnFailure']); },
  'activeDeadlineSeconds': (pod) => { pod.spec.activeDeadlineSeconds = 30; },
  'ephemeral container': (pod) => { pod.spec.ephemeralContainers = [{ name: 'debug', image: 'busybox:1.36', securityContext: RESTRICTED_CONTAINER() }]; },
  'label value invalid': (pod, pick) => { pod.metadata.labels.team = pick(['x'.repeat(64), 'has space', '-lead']); },
  'label key invalid': (pod, pick) => { pod.metadata.labels[pick(['a/b/c', 'Example.com/x', '/x', 'x'.repeat(64)])] = 'v'; },
  'annotation key invalid': (pod) => { pod.metadata.annotations['not a key'] = 'v'; },
  'privileged': (pod, pick) => { context(anyContainer(pod, pick)).privileged = true; },
  'host namespaces': (pod, pick) => { pod.spec[pick(['hostNetwork', 'hostPID', 'hostIPC'])] = true; },
  'hostPath volume': (pod) => { pod.spec.volumes.push({ name: 'host', hostPath: { path: '/var/run' } }); },
  'volume kind restricted forbids': (pod) => { pod.spec.volumes.push({ name: 'share', nfs: { server: 'nfs.example', path: '/share' } }); },
  'capability beyond the set': (pod, pick) => { context(anyContainer(pod, pick)).capabilities = { add: [pick(['SYS_ADMIN', 'NET_RAW', 'CHOWN'])], drop: ['ALL'] }; },
  'Windows host process': (pod) => { pod.spec.securityContext.windowsOptions = { hostProcess: true }; },
  'unsafe sysctl': (pod, pick) => { pod.spec.securityContext.sysctls = [{ name: pick(['kernel.core_pattern', 'net.ipv4.ip_forward', 'kernel.msgmax']), value: '1' }]; },
  'SELinux type or user': (pod, pick) => { context(app(pod)).seLinuxOptions = pick([{ type: 'spc_t' }, { user: 'system_u' }, { role: 'object_r' }]); },
  'AppArmor unconfined': (pod, pick) => {
    if (pick([true, false])) context(app(pod)).appArmorProfile = { type: 'Unconfined' };
    else pod.metadata.annotations['container.apparmor.security.beta.kubernetes.io/web'] = 'unconfined';
  },
  'seccomp unconfined': (pod, pick) => { (pick([true, false]) ? pod.spec.securityContext : context(app(pod))).seccompProfile = { type: 'Unconfined' }; },
  'running as root': (pod, pick) => { Object.assign(pick([true, false]) ? pod.spec.securityContext : context(app(pod)), pick([{ runAsUser: 0 }, { runAsNonRoot: false }])); },
  'privilege escalation': (pod, pick) => { context(anyContainer(pod, pick)).allowPrivilegeEscalation = true; },
  'unmasked /proc': (pod) => { context(app(pod)).procMount = 'Unmasked'; },
  'host port': (pod) => { app(pod).ports[0].hostPort = 8080; },
  'probe naming a host': (pod) => { app(pod).readinessProbe.httpGet.host = '10.0.0.1'; },
  'env fieldRef unknown': (pod, pick) => { app(pod).env.push({ name: 'X', valueFrom: pick([{ fieldRef: { fieldPath: 'spec.nodeNme' } }, { resourceFieldRef: { resource: 'limits.gpu' } }]) }); },
  'valid: env fieldRef': (pod, pick) => { app(pod).env.push({ name: 'X', valueFrom: { fieldRef: { fieldPath: pick(['metadata.name', 'status.podIP', "metadata.labels['app.kubernetes.io/part-of']"]) } } }); },
  'Localhost profile without its file': (pod, pick) => { (pick([true, false]) ? pod.spec.securityContext : context(app(pod)))[pick(['seccompProfile', 'appArmorProfile'])] = { type: 'Localhost' }; },
  'seccomp profile outside its folder': (pod) => { pod.spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: '../etc/profile.json' }; },
  'annotations over 256 KiB': (pod) => { pod.metadata.annotations.big = 'x'.repeat(256 * 1024); },
  'Windows pod': (pod) => { pod.spec.os = { name: 'windows' }; },
};

/** Mutations of a from Deployment's settings, for the cases that bring a file. */
const SETTINGS_MUTATIONS: Record<string, (settings: Data, pick: <T>(items: readonly T[]) => T) => void> = {
  'valid: strategy and durations': (settings) => { Object.assign(settings, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }, minReadySeconds: 5, progressDeadlineSeconds: 120 }); },
  'Recreate with rollingUpdate': (settings) => { settings.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }; },
  'a negative duration': (settings, pick) => { settings[pick(['minReadySeconds', 'revisionHistoryLimit'])] = -1; },
  'progress deadline not above minReadySeconds': (settings) => { Object.assign(settings, { minReadySeconds: 30, progressDeadlineSeconds: 30 }); },
};

/** A Deployment of the template as it is, not through synth: what the API server makes of the template alone. */
function raw(pod: Data, level: typeof LEVELS[number], settings: Data = {}): Manifest {
  const template = { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata?.labels, app: 'raw' } } };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'raw', namespace: `api-${level}` }, spec: { ...settings, replicas: 1, selector: { matchLabels: { app: 'raw' } }, template } };
}

/** The app's Service, as a `from` file brings it beside its Deployment. */
function baseService(): Data {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { 'app.kubernetes.io/part-of': 'shop' } },
    spec: { type: 'ClusterIP', selector: { 'app.kubernetes.io/part-of': 'shop' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/** Mutations of the Service, for the cases that bring one: a valid change, or one rule broken. */
const SERVICE_MUTATIONS: Record<string, Mutation> = {
  'valid: second named port': (svc) => { svc.spec.ports.push({ name: 'metrics', port: 9090, targetPort: 9090, appProtocol: 'http' }); },
  'valid: UDP port': (svc) => { svc.spec.ports.push({ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }); },
  'Service port number out of range': (svc, pick) => { svc.spec.ports[0].port = pick([0, 70000]); },
  'Service port name invalid': (svc, pick) => { svc.spec.ports[0].name = pick(['HTTP', 'http_port', '-http']); },
  'Service port names repeated or missing': (svc, pick) => { svc.spec.ports.push(pick([{ name: 'http', port: 81 }, { port: 81 }])); },
  'target port invalid': (svc, pick) => { svc.spec.ports[0].targetPort = pick([0, 70000, 'http_port', 'a--b']); },
  'protocol unknown': (svc) => { svc.spec.ports[0].protocol = 'HTTP'; },
  'appProtocol invalid': (svc) => { svc.spec.ports[0].appProtocol = 'not/a/key'; },
};

interface Case {
  readonly index: number; readonly level: typeof LEVELS[number]; readonly mutations: string[]; readonly pod: Data;
  /** A from file's Service and its Deployment's settings, for the cases that bring one. */
  readonly service?: Data; readonly settings?: Data;
}

function cases(): Case[] {
  const next = random(SEED);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const names = Object.keys(MUTATIONS);
  return Array.from({ length: CASES }, (_, index) => {
    const pod = base();
    const mutations = Array.from({ length: Math.floor(next() * 3) }, () => pick(names));
    for (const name of mutations) MUTATIONS[name](pod, pick);
    if (next() >= 0.3) return { index, level: pick(LEVELS), mutations, pod };
    // A third of the cases bring their Service in a from file, mutated too.
    const service = baseService();
    const changes = Array.from({ length: Math.floor(next() * 2) }, () => pick(Object.keys(SERVICE_MUTATIONS)));
    for (const name of changes) SERVICE_MUTATIONS[name](service, pick);
    const settings: Data = {};
    const set = next() < 0.5 ? [pick(Object.keys(SETTINGS_MUTATIONS))] : [];
    for (const name of set) SETTINGS_MUTATIONS[name](settings, pick);
    return { index, level: pick(LEVELS), mutations: [...mutations, ...changes, ...set], pod, service, settings };
  });
}

/** synth's verdict on a case: the stable Deployment and the shared Service it writes, or the message it refuses with. */
function synthOf(each: Case, dir: string): { deployment: Manifest; service?: Manifest } | { refused: string } {
  const app = {
    name: 'web', namespace: `api-${each.level}`, securityProfile: each.level,
    stable: { image: 'registry.example/web:1.0', replicas: 1 }, canary: { image: 'registry.example/web:1.1' },
    disruptionBudget: { enabled: false },
  };
  let given: object = { podTemplate: each.pod };
  if (each.service) {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { ...each.settings, selector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } }, template: each.pod } };
    writeFileSync(join(dir, `case-${each.index}.yaml`), [deployment, each.service].map((object) => JSON.stringify(object)).join('\n---\n'));
    given = { from: `case-${each.index}.yaml` };
  }
  try {
    const file = synthesize({ apps: [{ ...app, ...given }] } as any, undefined, dir).find((rendered) => rendered.path === 'web/stages/01-baseline.k8s.yaml')!;
    const objects = parseManifests(file.content);
    return {
      deployment: objects.find((doc) => doc.kind === 'Deployment' && doc.metadata.name === 'web-stable')!,
      service: each.service ? objects.find((doc) => doc.kind === 'Service' && doc.metadata.name === 'web') : undefined,
    };
  } catch (error) {
    if (error instanceof SpecError) return { refused: error.message };
    throw error;
  }
}

/** The API server's verdict on a Deployment synth wrote: refused by validation, or its pod by Pod Security admission. */
async function apiOf(deployment: Manifest, service?: Manifest): Promise<string | undefined> {
  const namespace = deployment.metadata.namespace;
  if (service) {
    const kept = await post(`/api/v1/namespaces/${namespace}/services?dryRun=All`, service);
    if (kept.status >= 300) return `Service: ${kept.body.message}`;
  }
  const created = await post(`/apis/apps/v1/namespaces/${namespace}/deployments?dryRun=All`, deployment);
  if (created.status >= 300) return `Deployment: ${created.body.message}`;
  const { metadata, spec } = deployment.spec.template;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, name: 'web', namespace }, spec };
  const admitted = await post(`/api/v1/namespaces/${namespace}/pods?dryRun=All`, pod);
  if (admitted.status >= 300) return `Pod: ${admitted.body.message}`;
  return undefined;
}

test(`${CASES} generated templates: none synth accepts is refused by the API server or Pod Security admission`, async () => {
  for (const level of LEVELS) {
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: api-${level}\n  labels: { pod-security.kubernetes.io/enforce: ${level} }\n`);
  }
  const all = cases();
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-canary-api-'));
  const accepted: { each: Case; deployment: Manifest; service?: Manifest }[] = [];
  const refused: { each: Case; message: string }[] = [];
  for (const each of all) {
    const verdict = synthOf(each, dir);
    if ('deployment' in verdict) accepted.push({ each, deployment: verdict.deployment, service: verdict.service });
    else refused.push({ each, message: verdict.refused });
  }
  const disagreements: string[] = [];
  // A few requests at a time, over the kept connections.
  for (let i = 0; i < accepted.length; i += 8) {
    const answers = await Promise.all(accepted.slice(i, i + 8).map(async ({ each, deployment, service }) => ({ each, answer: await apiOf(deployment, service) })));
    for (const { each, answer } of answers) {
      if (answer) disagreements.push(`case ${each.index} (${each.level}; ${each.mutations.join(', ') || 'no mutation'}): synth wrote it, the API server refused: ${answer}`);
    }
  }
  // Over-strict, for the report: the templates synth refused, sent as they are (without the tool's defaults).
  const stricter: string[] = [];
  for (let i = 0; i < refused.length; i += 8) {
    const batch = refused.slice(i, i + 8);
    const answers = await Promise.all(batch.map(({ each }) => apiOf(raw(each.pod, each.level, each.settings), each.service && { ...each.service, metadata: { ...each.service.metadata, namespace: `api-${each.level}` } })));
    answers.forEach((answer, j) => {
      if (answer === undefined) stricter.push(`case ${batch[j].each.index} (${batch[j].each.level}; ${batch[j].each.mutations.join(', ')}): ${batch[j].message.split('\n')[0]}`);
    });
  }
  const apiAcceptedOfRefused = stricter.length;
  rmSync(dir, { recursive: true, force: true });
  const report = {
    seed: SEED, cases: CASES, synthAccepted: accepted.length, synthRefused: refused.length, apiRefusedOfAccepted: disagreements.length, apiAcceptedOfRefused,
    withService: all.filter((each) => each.service).length,
    mutations: Object.fromEntries([...Object.keys(MUTATIONS), ...Object.keys(SERVICE_MUTATIONS), ...Object.keys(SETTINGS_MUTATIONS)].map((name) => [name, all.filter((each) => each.mutations.includes(name)).length])),
  };
  const folder = join(__dirname, '..', '.cluster-report');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'api-validation.json'), `${JSON.stringify({ ...report, disagreements: disagreements.slice(0, 50), stricter: stricter.slice(0, 50) }, null, 2)}\n`);
  expect(disagreements.slice(0, 10)).toEqual([]);
  // Nor is synth stricter than the cluster on what the generator makes: the rules are the API server's, no more.
  expect(stricter.slice(0, 10)).toEqual([]);
  // Every refusal says the rule, in the API server's terms or Pod Security's.
  const unexplained = refused.filter(({ message }) => !/the API server refuses it \(|not allowed under (restricted|baseline) \(|is required|must|nothing was written/.test(message));
  expect(unexplained.slice(0, 5).map(({ each, message }) => `case ${each.index}: ${message}`)).toEqual([]);
  // The generator reaches both sides: most cases break a rule, and many are accepted.
  expect(refused.length).toBeGreaterThan(CASES / 3);
  expect(accepted.length).toBeGreaterThan(CASES / 5);
});

test('control: every rule the generator breaks is one the API server or Pod Security admission holds', async () => {
  for (const level of LEVELS) {
    await kubectl(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: api-${level}\n  labels: { pod-security.kubernetes.io/enforce: ${level} }\n`);
  }
  const next = random(SEED + 1);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const unenforced: string[] = [];
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    // Each variant the mutation may pick, a few times over; restricted holds every rule of both levels.
    const answers = await Promise.all(Array.from({ length: 8 }, () => {
      const pod = base();
      mutate(pod, pick);
      return apiOf(raw(pod, 'restricted'));
    }));
    const refusedCount = answers.filter(Boolean).length;
    if (name.startsWith('valid:') ? refusedCount > 0 : refusedCount === 0) unenforced.push(`${name}: ${refusedCount}/8 refused`);
  }
  for (const [name, mutate] of Object.entries(SERVICE_MUTATIONS)) {
    const answers = await Promise.all(Array.from({ length: 8 }, () => {
      const service = baseService();
      mutate(service, pick);
      return apiOf(raw(base(), 'restricted'), { ...service, metadata: { ...service.metadata, namespace: 'api-restricted' } });
    }));
    const refusedCount = answers.filter(Boolean).length;
    if (name.startsWith('valid:') ? refusedCount > 0 : refusedCount === 0) unenforced.push(`${name}: ${refusedCount}/8 refused`);
  }
  for (const [name, mutate] of Object.entries(SETTINGS_MUTATIONS)) {
    const answers = await Promise.all(Array.from({ length: 8 }, () => {
      const settings: Data = {};
      mutate(settings, pick);
      return apiOf(raw(base(), 'restricted', settings));
    }));
    const refusedCount = answers.filter(Boolean).length;
    if (name.startsWith('valid:') ? refusedCount > 0 : refusedCount === 0) unenforced.push(`${name}: ${refusedCount}/8 refused`);
  }
  // The valid template itself is admitted at both levels.
  for (const level of LEVELS) expect(await apiOf(raw(base(), level))).toBeUndefined();
  expect(unenforced).toEqual([]);
});
