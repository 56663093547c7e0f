/**
 * What the API server refuses, refused before anything is written: one case per rule, each naming
 * the field, the value and the rule (test-cluster/api-validation.test.ts holds the same rules
 * against the real API server and Pod Security admission).
 */
import { resolveApp, resolveSpec } from '../src/model/resolve';
import { deploymentRefusals, metadataRefusals, podTemplateRefusals, servicePortRefusals } from '../src/model/rules/api-server';

type Data = { [key: string]: any };

function template(edit: (pod: Data) => void = () => undefined): Data {
  const pod: Data = {
    metadata: { labels: { team: 'shop' } },
    spec: {
      securityContext: { runAsUser: 10001 },
      volumes: [{ name: 'cache', emptyDir: {} }],
      containers: [{
        name: 'web', image: 'web:1', ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'MODE', value: 'prod' }],
        readinessProbe: { httpGet: { path: '/', port: 8080 } }, resources: { requests: { cpu: '100m' }, limits: { cpu: '1' } },
        volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
      }],
    },
  };
  edit(pod);
  return pod;
}

const web = (pod: Data) => pod.spec.containers[0];

test('the template of these cases is accepted as it is', () => {
  expect(podTemplateRefusals(template())).toEqual([]);
});

test.each<[string, (pod: Data) => void, string, string]>([
  ['container name', (pod) => { web(pod).name = 'Web App'; }, 'spec.containers[0].name', 'a container name is a DNS label'],
  ['container names unique, init containers too', (pod) => { pod.spec.initContainers = [{ name: 'web', image: 'm:1' }]; }, 'spec.containers[0].name', 'container names are unique in a pod'],
  ['volume name', (pod) => { pod.spec.volumes[0].name = 'cache-'; }, 'spec.volumes[0].name', 'a volume name is a DNS label'],
  ['mount of a volume the pod lacks', (pod) => { web(pod).volumeMounts[0].name = 'other'; }, 'spec.containers[0].volumeMounts[0].name', 'a mount names a volume of the pod'],
  ['a path mounted twice', (pod) => { web(pod).volumeMounts.push({ name: 'cache', mountPath: '/cache' }); }, 'spec.containers[0].volumeMounts[1].mountPath', 'a container mounts each path once'],
  ['port number', (pod) => { web(pod).ports[0].containerPort = 70000; }, 'spec.containers[0].ports[0].containerPort', 'a port number is from 1 to 65535'],
  ['port name', (pod) => { web(pod).ports[0].name = 'http_port'; }, 'spec.containers[0].ports[0].name', 'a port name is at most 15'],
  ['port names unique', (pod) => { web(pod).ports.push({ name: 'http', containerPort: 8081 }); }, 'spec.containers[0].ports[1].name', 'port names are unique in a container'],
  ['env name', (pod) => { web(pod).env[0].name = 'A=B'; }, 'spec.containers[0].env[0].name', 'an environment variable name is printable ASCII without "="'],
  ['value and valueFrom', (pod) => { web(pod).env[0].valueFrom = { fieldRef: { fieldPath: 'metadata.name' } }; }, 'spec.containers[0].env[0].valueFrom', 'valueFrom may not be given with a value'],
  ['valueFrom with two sources', (pod) => { web(pod).env.push({ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } } }); }, 'spec.containers[0].env[1].valueFrom', 'valueFrom gives exactly one source'],
  ['probe with two handlers', (pod) => { web(pod).readinessProbe.exec = { command: ['true'] }; }, 'spec.containers[0].readinessProbe', 'a probe has exactly one handler'],
  ['quantity', (pod) => { web(pod).resources.requests.cpu = 'banana'; }, 'spec.containers[0].resources.requests.cpu', 'a quantity is a number with an optional suffix'],
  ['negative quantity', (pod) => { web(pod).resources.requests.cpu = '-1'; }, 'spec.containers[0].resources.requests.cpu', 'a quantity of a resource must be at least 0'],
  ['request above its limit', (pod) => { web(pod).resources.requests.cpu = '1500m'; }, 'spec.containers[0].resources.requests.cpu', 'a request may not be above its limit (1)'],
  ['restart policy', (pod) => { pod.spec.restartPolicy = 'Never'; }, 'spec.restartPolicy', 'a Deployment\'s pods restart Always'],
  ['a deadline', (pod) => { pod.spec.activeDeadlineSeconds = 30; }, 'spec.activeDeadlineSeconds', 'a Deployment\'s pods run without a deadline'],
  ['ephemeral containers', (pod) => { pod.spec.ephemeralContainers = [{ name: 'debug', image: 'b:1' }]; }, 'spec.ephemeralContainers', 'a pod template holds no ephemeral containers'],
  ['label value', (pod) => { pod.metadata.labels.team = 'x'.repeat(64); }, 'metadata.labels.team', 'a label value is at most 63'],
  ['label key', (pod) => { pod.metadata.labels['a/b/c'] = 'v'; }, 'metadata.labels.a/b/c', 'a label key is a qualified name'],
])('%s', (_name, edit, path, rule) => {
  const refusals = podTemplateRefusals(template(edit)).map((refusal) => [refusal.path.join('.').replace(/\.(\d+)/g, '[$1]'), refusal.rule]);
  // The first refusal is the rule broken (an invalid volume name also leaves its mount naming no volume, as upstream says too).
  expect(refusals[0][0]).toBe(path);
  expect(refusals[0][1]).toContain(rule);
});

test('quantities the API server parses are accepted, and compared by their value', () => {
  for (const value of ['1', '0.5', '.5', '250m', '1Gi', '128M', '1e3', '1E', '+1']) {
    expect(podTemplateRefusals(template((pod) => { web(pod).resources = { requests: { memory: value } }; }))).toEqual([]);
  }
  // 1Gi is above 1G: compared by value, not by spelling.
  expect(podTemplateRefusals(template((pod) => { web(pod).resources = { requests: { memory: '1Gi' }, limits: { memory: '1G' } }; }))).toHaveLength(1);
  expect(podTemplateRefusals(template((pod) => { web(pod).resources = { requests: { memory: '1G' }, limits: { memory: '1Gi' } }; }))).toEqual([]);
});

test('a Deployment\'s settings and metadata, as ValidateDeploymentSpec and ValidateObjectMeta hold them', () => {
  expect(deploymentRefusals({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }).map((each) => each.rule)).toEqual(['a Recreate strategy has no rollingUpdate']);
  expect(deploymentRefusals({ minReadySeconds: -1 }).map((each) => each.rule)).toEqual(['minReadySeconds is a whole number, at least 0']);
  expect(deploymentRefusals({ minReadySeconds: 30, progressDeadlineSeconds: 30 }).map((each) => each.rule)).toEqual(['progressDeadlineSeconds must be above minReadySeconds (30)']);
  expect(deploymentRefusals({ minReadySeconds: 5, progressDeadlineSeconds: 300, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } })).toEqual([]);
  expect(metadataRefusals({ annotations: { big: 'x'.repeat(256 * 1024) } }, []).map((each) => each.rule)).toEqual(['annotations take at most 256 KiB in all']);
  expect(metadataRefusals({ labels: { 'example.com/owner': 'team-a', empty: '' }, annotations: { 'Example.com/Note': 'x' } }, [])).toEqual([]);
});

test('through the resolve step: the field, the value and the rule, and nothing written', () => {
  const app = (pod: Data) => ({ apps: [{ name: 'web', namespace: 'web', podTemplate: pod, stable: { image: 'web:1' }, canary: { image: 'web:2' } }] });
  expect(() => resolveSpec(app(template((pod) => { pod.spec.restartPolicy = 'Never'; }))))
    .toThrow('"apps[0].podTemplate.spec.restartPolicy" is "Never": the API server refuses it (a Deployment\'s pods restart Always); nothing was written');
});

test.each<[string, (pod: Data) => void, string, string]>([
  ['Windows host process', (pod) => { pod.spec.securityContext.windowsOptions = { hostProcess: true }; }, 'spec.securityContext.windowsOptions.hostProcess', 'Windows host processes'],
  ['unsafe sysctl', (pod) => { pod.spec.securityContext.sysctls = [{ name: 'kernel.core_pattern', value: 'x' }]; }, 'spec.securityContext.sysctls[0].name', 'sysctls outside the safe set'],
  ['SELinux type', (pod) => { web(pod).securityContext = { seLinuxOptions: { type: 'spc_t' } }; }, 'spec.containers[0].securityContext.seLinuxOptions.type', 'an SELinux type other than'],
  ['SELinux user', (pod) => { pod.spec.securityContext.seLinuxOptions = { user: 'system_u' }; }, 'spec.securityContext.seLinuxOptions.user', 'setting an SELinux user'],
  ['AppArmor field', (pod) => { web(pod).securityContext = { appArmorProfile: { type: 'Unconfined' } }; }, 'spec.containers[0].securityContext.appArmorProfile.type', 'an AppArmor profile other than RuntimeDefault or Localhost'],
  ['AppArmor annotation', (pod) => { pod.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' }; }, 'metadata.annotations.container.apparmor.security.beta.kubernetes.io/web', 'an AppArmor profile other than runtime/default or localhost/*'],
  ['a volume with a second source', (pod) => { pod.spec.volumes[0].nfs = { server: 'n', path: '/' }; }, 'spec.volumes[0].nfs', 'nfs volumes'],
  ['a probe naming a host', (pod) => { web(pod).readinessProbe.httpGet.host = '10.0.0.1'; }, 'spec.containers[0].readinessProbe.httpGet.host', 'probes and lifecycle handlers that name a host'],
])('Pod Security, baseline or restricted: %s', (_name, edit, path, rule) => {
  const app = { apps: [{ name: 'web', namespace: 'web', securityProfile: 'restricted', podTemplate: template(edit), stable: { image: 'web:1' }, canary: { image: 'web:2' } }] };
  expect(() => resolveSpec(app)).toThrow(new RegExp(`"apps\\[0\\]\\.podTemplate\\.${path.replace(/[.[\]/]/g, (c) => `\\${c}`)}" is .*: not allowed under restricted \\(${rule.replace(/[()*/]/g, (c) => `\\${c}`)}`));
});

test('an unmasked /proc is baseline\'s only in a user namespace, and never restricted\'s', () => {
  const app = (level: string, hostUsers?: boolean) => ({
    apps: [{
      name: 'web', namespace: 'web', securityProfile: level, stable: { image: 'web:1' }, canary: { image: 'web:2' },
      podTemplate: template((pod) => { web(pod).securityContext = { procMount: 'Unmasked' }; if (hostUsers !== undefined) pod.spec.hostUsers = hostUsers; }),
    }],
  });
  expect(() => resolveSpec(app('baseline'))).toThrow('not allowed under baseline (a non-default /proc mount)');
  expect(resolveSpec(app('baseline', false)).apps).toHaveLength(1);
  expect(() => resolveSpec(app('restricted', false))).toThrow('not allowed under restricted (a non-default /proc mount)');
});

test.each<[string, (pod: Data) => void, string, string]>([
  ['an env fieldRef the API does not know', (pod) => { web(pod).env.push({ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nodeNme' } } }); }, 'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath', 'an env fieldRef names one of'],
  ['an env resourceFieldRef the API does not know', (pod) => { web(pod).env.push({ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }); }, 'spec.containers[0].env[1].valueFrom.resourceFieldRef.resource', 'an env resourceFieldRef names one of'],
  ['a Localhost seccomp profile without its file', (pod) => { pod.spec.securityContext.seccompProfile = { type: 'Localhost' }; }, 'spec.securityContext.seccompProfile.localhostProfile', 'a Localhost seccompProfile names its profile'],
  ['a Localhost seccomp profile outside its folder', (pod) => { web(pod).securityContext = { seccompProfile: { type: 'Localhost', localhostProfile: '../../etc/x.json' } }; }, 'spec.containers[0].securityContext.seccompProfile.localhostProfile', 'a Localhost seccomp profile is a path below'],
  ['a profile file with another type', (pod) => { pod.spec.securityContext.seccompProfile = { type: 'RuntimeDefault', localhostProfile: 'x.json' }; }, 'spec.securityContext.seccompProfile.localhostProfile', 'a seccompProfile names a localhostProfile only with type Localhost'],
])('%s', (_name, edit, path, rule) => {
  const refusals = podTemplateRefusals(template(edit)).map((refusal) => [refusal.path.join('.').replace(/\.(\d+)/g, '[$1]'), refusal.rule]);
  expect(refusals).toHaveLength(1);
  expect(refusals[0][0]).toBe(path);
  expect(refusals[0][1]).toContain(rule);
});

test('env fieldRefs the API knows are accepted, labels and annotations by key too', () => {
  const env = ['metadata.name', 'status.podIP', "metadata.labels['app.kubernetes.io/name']", "metadata.annotations['Example.com/Note']"]
    .map((fieldPath, i) => ({ name: `X${i}`, valueFrom: { fieldRef: { fieldPath } } }));
  expect(podTemplateRefusals(template((pod) => { web(pod).env.push(...env); }))).toEqual([]);
});

test('a Windows pod is refused: each track\'s pods get Linux settings the API server refuses for it', () => {
  const app = { apps: [{ name: 'web', namespace: 'web', podTemplate: template((pod) => { pod.spec.os = { name: 'windows' }; }), stable: { image: 'web:1' }, canary: { image: 'web:2' } }] };
  expect(() => resolveSpec(app)).toThrow('"apps[0].podTemplate.spec.os.name" is "windows": Windows pods are not supported here');
});

test('gate URLs the gate could not parse are refused before anything is written', () => {
  const app = (url: string, webhook = 'https://chat.example/hook') => ({ apps: [{
    name: 'web', namespace: 'web', stable: { image: 'web:1' }, canary: { image: 'web:2' },
    verify: { prometheus: { url, queries: [{ name: 'errors', query: 'errors', max: 0 }] }, notify: { webhook } },
  }] });
  for (const url of ['http://prometheus:99999', 'http://[::1/', 'http://a%00b:9090']) {
    expect(() => resolveSpec(app(url))).toThrow(`"apps[0].verify.prometheus.url" is ${JSON.stringify(url)}: must be a URL the gate can parse`);
  }
  expect(() => resolveSpec(app('http://prometheus:9090', 'http://hooks:70000/x'))).toThrow('"apps[0].verify.notify.webhook" is "http://hooks:70000/x": must be a URL the gate can parse');
  expect(resolveSpec(app('http://[::1]:9090')).apps).toHaveLength(1);
});

test('props read once: a getter that changes between reads is checked and rendered with one value', () => {
  let reads = 0;
  const stable = { image: 'web:1', get replicas() { reads += 1; return reads === 1 ? 3 : -7; } };
  const [app] = [resolveApp({ name: 'web', namespace: 'web', stable, canary: { image: 'web:2' } }, { at: [] })];
  expect([app.spec.stable.replicas, reads]).toEqual([3, 1]);
});

test('a from Service\'s ports, as validateServicePort holds them', () => {
  const rules = (ports: object[]) => servicePortRefusals(ports).map((each) => `${each.path.join('.')}: ${each.rule}`);
  expect(rules([{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'http' }])).toEqual([]);
  expect(rules([{ port: 80 }])).toEqual([]);
  // A target port of 0 is the port itself, as the API server defaults it.
  expect(rules([{ name: 'http', port: 80, targetPort: 0 }])).toEqual([]);
  expect(rules([{ name: 'http', port: 0 }])).toEqual(['ports.0.port: a port number is from 1 to 65535']);
  expect(rules([{ name: 'HTTP', port: 80 }])).toEqual(['ports.0.name: a Service port name is a DNS label']);
  expect(rules([{ name: 'http', port: 80 }, { name: 'http', port: 81 }])).toEqual(['ports.1.name: Service port names are unique']);
  expect(rules([{ name: 'http', port: 80 }, { port: 81 }])).toEqual(['ports.1.name: each port of a Service with several is named']);
  expect(rules([{ name: 'http', port: 80, targetPort: 'http_port' }])).toEqual(['ports.0.targetPort: a target port is a number from 1 to 65535 or a container port\'s name']);
  expect(rules([{ name: 'http', port: 80, protocol: 'HTTP' }])).toEqual(['ports.0.protocol: a protocol is TCP, UDP or SCTP']);
  expect(rules([{ name: 'http', port: 80, appProtocol: 'not/a/key' }])).toEqual(['ports.0.appProtocol: an appProtocol is a qualified name, as a label key is']);
});
