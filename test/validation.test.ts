import { stringify } from 'yaml';
import { SpecError } from '../src/spec/problems';
import { loadSpec, parseSpec } from '../src/engine/load';
import { isFloatingImage } from '../src/model/rules/tracks';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const app = (): Json => ({
  name: 'nginx',
  namespace: 'dev',
  createNamespace: true,
  service: { name: 'canary-demo', nodePort: 30008 },
  stable: { name: 'v1', image: 'nginx:1.22', replicas: 3 },
  canary: { name: 'v2', image: 'nginx:1.23' },
});

function problems(edit: (spec: Json) => void): string[] {
  const spec = { apps: [app()] };
  edit(spec);
  try {
    parseSpec(stringify(spec), 'canary.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return (error as SpecError).message.split('\n');
  }
  return [];
}

test('a good spec passes', () => {
  expect(problems(() => undefined)).toEqual([]);
});

test.each<[string, (spec: Json) => void, string]>([
  ['unknown key', (s) => { s.apps[0].stable.replica = 3; }, '"apps[0].stable.replica" is not a known key: did you mean replicas? allowed keys here are name, image, replicas, env, config, secretEnvFrom, secretMounts, autoscaling'],
  ['unknown top-level key', (s) => { s.app = []; }, '"app" is not a known key: did you mean apps? allowed keys here are apps'],
  ['an unknown key with nothing close', (s) => { s.apps[0].stable.colour = 'red'; }, '"apps[0].stable.colour" is not a known key: allowed keys here are name, image, replicas, env, config, secretEnvFrom, secretMounts, autoscaling'],
  ['missing image', (s) => { delete s.apps[0].canary.image; }, '"apps[0].canary.image" is required'],
  ['empty image', (s) => { s.apps[0].canary.image = ''; }, '"apps[0].canary.image" is "": must not be empty'],
  ['image with a space', (s) => { s.apps[0].canary.image = 'nginx 1.23'; }, '"apps[0].canary.image" is "nginx 1.23": must be an image reference name[:tag][@digest]'],
  ['negative replicas', (s) => { s.apps[0].stable.replicas = -1; }, '"apps[0].stable.replicas" is -1: must be a whole number from 0 to 1000'],
  ['fractional replicas', (s) => { s.apps[0].stable.replicas = 1.5; }, '"apps[0].stable.replicas" is 1.5: must be a whole number'],
  ['replicas as text', (s) => { s.apps[0].stable.replicas = 'three'; }, '"apps[0].stable.replicas" is "three": must be a whole number'],
  ['port 0', (s) => { s.apps[0].port = 0; }, '"apps[0].port" is 0: must be a whole number from 1 to 65535'],
  ['port 70000', (s) => { s.apps[0].service.port = 70000; }, '"apps[0].service.port" is 70000: must be a whole number from 1 to 65535'],
  ['nodePort below range', (s) => { s.apps[0].service.nodePort = 8080; }, '"apps[0].service.nodePort" is 8080: must be a whole number from 30000 to 32767'],
  ['nodePort above range', (s) => { s.apps[0].service.nodePort = 40000; }, '"apps[0].service.nodePort" is 40000: must be a whole number from 30000 to 32767'],
  ['nodePort on ClusterIP', (s) => { s.apps[0].service.type = 'ClusterIP'; }, '"apps[0].service.nodePort" is 30008: only NodePort and LoadBalancer Services have a node port'],
  ['bad service type', (s) => { s.apps[0].service.type = 'Ingress'; }, '"apps[0].service.type" is "Ingress": must be one of NodePort, ClusterIP, LoadBalancer'],
  ['app name not DNS-1123', (s) => { s.apps[0].name = 'My_App'; }, '"apps[0].name" is "My_App": must be a DNS-1123 label'],
  ['namespace not DNS-1123', (s) => { s.apps[0].namespace = 'dev-'; }, '"apps[0].namespace" is "dev-": must be a DNS-1123 label'],
  ['Deployment name not DNS-1123', (s) => { s.apps[0].stable.name = 'V1'; }, '"apps[0].stable.name" is "V1": must be a DNS-1123 label'],
  ['Service name starting with a digit', (s) => { s.apps[0].service.name = '1demo'; }, '"apps[0].service.name" is "1demo": must be a DNS-1035 label'],
  ['name too long', (s) => { s.apps[0].name = 'a'.repeat(64); }, '"apps[0].name" is "' + 'a'.repeat(64) + '": must be at most 63 characters'],
  ['same Deployment name', (s) => { s.apps[0].canary.name = 'v1'; }, '"apps[0].canary.name" is "v1": must differ from the stable Deployment\'s name'],
  ['duplicate app names', (s) => { s.apps.push({ ...app(), namespace: 'other', service: {} }); }, '"apps[1].name" is "nginx": same app name as "apps[0].name"'],
  ['duplicate nodePort', (s) => { s.apps.push({ ...app(), name: 'b', namespace: 'other' }); }, '"apps[1].service.nodePort" is 30008: same node port as "apps[0].service.nodePort"'],
  ['apps sharing a namespace and appLabel', (s) => { s.apps.push({ ...app(), name: 'b', appLabel: 'nginx', service: { name: 'b' }, stable: { name: 'b1', image: 'x:1' }, canary: { name: 'b2', image: 'x:2' } }); }, '"apps[1].appLabel" is "nginx": the Services would select each other\'s pods: same namespace and appLabel as "apps[0].appLabel"'],
  ['apps sharing a Deployment name in a namespace', (s) => { s.apps.push({ ...app(), name: 'b', service: { name: 'b' }, canary: { name: 'b2', image: 'x:2' } }); }, '"apps[1].stable.name" is "v1": same Deployment in the same namespace as "apps[0].stable.name"'],
  ['one Namespace with two profiles', (s) => { s.apps.push({ name: 'b', namespace: 'dev', securityProfile: 'baseline', stable: { image: 'x:1' }, canary: { image: 'x:2' } }); }, '"apps[1].securityProfile" is "baseline": namespace "dev" is created by "apps[0]" enforcing "restricted"'],
  ['a baseline app in a namespace another app creates as restricted', (s) => { s.apps.push({ name: 'b', namespace: 'dev', securityProfile: 'baseline', stable: { image: 'x:1' }, canary: { image: 'x:2' } }); }, '"apps[1].securityProfile" is "baseline": namespace "dev" is created by "apps[0]" enforcing "restricted"; one Namespace enforces one level, and every app in it must meet it'],
  ['creating kube-system', (s) => { s.apps[0].namespace = 'kube-system'; }, '"apps[0].createNamespace" is true: "kube-system" is a system namespace, never created or relabelled here; set createNamespace: false'],
  ['creating default', (s) => { s.apps[0].namespace = 'default'; }, '"apps[0].createNamespace" is true: "default" is a system namespace'],
  ['a stable of size 0', (s) => { s.apps[0].stable.replicas = 0; }, '"apps[0].stable.replicas" is 0: a track\'s full size must be at least 1'],
  ['a stage that carries less than full traffic', (s) => { s.apps[0].stages = [{ name: 'thin', stableReplicas: 1, canaryReplicas: 1 }]; }, '"apps[0].stages[0]" runs 1 stable and 1 canary replicas, which carry 66% of the traffic (stable 1/3 + canary 1/3): the tracks together must carry at least 100%'],
  ['a promote with a partial canary', (s) => { s.apps[0].stages = [{ name: 'p', stableReplicas: 0, canaryReplicas: 2 }]; }, '"apps[0].stages[0]" runs 0 stable and 2 canary replicas, which carry 66% of the traffic'],
  ['a routed stage whose canary cannot carry its weight', (s) => { s.apps[0].routing = { istio: {} }; s.apps[0].stages = [{ name: 'a', canaryPercent: 50, canaryReplicas: 1 }]; }, '"apps[0].stages[0]" sends 50% to canary but runs 1 of its 3 replicas: give canaryReplicas of at least 2'],
  ['a routed stage whose stable cannot carry its weight', (s) => { s.apps[0].routing = { istio: {} }; s.apps[0].stages = [{ name: 'a', canaryPercent: 10, stableReplicas: 2 }]; }, '"apps[0].stages[0]" sends 90% to stable but runs 2 of its 3 replicas: give stableReplicas of at least 3'],
  // Inputs a cluster would reject, or that would harm it.
  ['an app name a Service cannot take', (s) => { s.apps[0].name = '9lives'; delete s.apps[0].service.name; }, '"apps[0].name" is "9lives": the Service is named after the app, and a Service name must start with a letter (DNS-1035); give service.name'],
  ['a UID beyond 32 bits', (s) => { s.apps[0].runAsUser = 99999999999999999999; }, '"apps[0].runAsUser" is 100000000000000000000: must be a whole number from 0 to 2147483647'],
  ['a CPU request of 10^26 cores', (s) => { s.apps[0].resources = { requests: { cpu: '100000000000000000000000000' } }; }, '"apps[0].resources.requests.cpu" is "100000000000000000000000000": must be from 1m to 256 cores'],
  ['a memory limit of a petabyte', (s) => { s.apps[0].resources = { limits: { memory: '1000000Gi' } }; }, '"apps[0].resources.limits.memory" is "1000000Gi": must be from 1Mi to 1024Gi'],
  ['a writable path that climbs out', (s) => { s.apps[0].writablePaths = ['/var/../etc']; }, '"apps[0].writablePaths[0]" is "/var/../etc": must be written normalised, as "/etc"'],
  ['the root as a writable path', (s) => { s.apps[0].writablePaths = ['/']; }, '"apps[0].writablePaths[0]" is "/": the root folder cannot be a volume'],
  ['one path written twice', (s) => { s.apps[0].writablePaths = ['/tmp', '/tmp/']; }, '"apps[0].writablePaths[1]" is "/tmp/": must be written normalised, as "/tmp"'],
  ['an image with an empty tag', (s) => { s.apps[0].canary.image = 'nginx:'; }, '"apps[0].canary.image" is "nginx:": must be an image reference name[:tag][@digest] with a tag or a full digest'],
  ['an image that is only a short digest', (s) => { s.apps[0].canary.image = '@sha256:x'; }, '"apps[0].canary.image" is "@sha256:x": must be an image reference'],
  ['a look-behind, which RE2 lacks', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x-a', regex: '(?<=a)b' }] }; }, '"apps[0].routing.match[0].regex" is "(?<=a)b": not an RE2 regular expression (invalid named capture: `(?<=a)b`)'],
  ['a back-reference, which RE2 lacks', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x-a', regex: '(a)\\1' }] }; }, '"apps[0].routing.match[0].regex" is "(a)\\\\1": not an RE2 regular expression (invalid escape sequence: `\\1`)'],
  ['a header value with a line break', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x-a', value: 'a\nb' }] }; }, '"apps[0].routing.match[0].value" is "a\\nb": must hold no control characters or line breaks'],
  ['unknown current stage', (s) => { s.apps[0].stage = 'expnad'; }, '"apps[0].stage" is "expnad": did you mean expand? must be a stage of the plan: baseline, canary, expand, promote, rollback'],
  ['duplicate stage names', (s) => { s.apps[0].stages = [{ name: 'a', canaryPercent: 10 }, { name: 'a', canaryPercent: 20 }]; }, '"apps[0].stages[1].name" is "a": already used by stages[0]'],
  ['a stage named rollback', (s) => { s.apps[0].stages = [{ name: 'rollback', canaryPercent: 10 }]; }, '"apps[0].stages[0].name" is "rollback": that name is reserved'],
  ['an outage stage', (s) => { s.apps[0].stages = [{ name: 'off', stableReplicas: 0, canaryReplicas: 0 }]; }, '"apps[0].stages[0]" has 0 stable and 0 canary replicas: that stage is an outage'],
  ['a stage with one count', (s) => { s.apps[0].stages = [{ name: 'a', stableReplicas: 2 }]; }, '"apps[0].stages[0]" must give both stableReplicas and canaryReplicas, or canaryPercent'],
  ['a stage with counts and a percent', (s) => { s.apps[0].stages = [{ name: 'a', stableReplicas: 2, canaryReplicas: 1, canaryPercent: 30 }]; }, '"apps[0].stages[0]" gives both canaryPercent and replica counts'],
  ['percent above 100', (s) => { s.apps[0].stages = [{ name: 'a', canaryPercent: 120 }]; }, '"apps[0].stages[0].canaryPercent" is 120: must be a number from 0 to 100'],
  ['percent below 0', (s) => { s.apps[0].stages = [{ name: 'a', canaryPercent: -5 }]; }, '"apps[0].stages[0].canaryPercent" is -5: must be a number from 0 to 100'],
  ['no stages', (s) => { s.apps[0].stages = []; }, '"apps[0].stages" must list at least 1 item'],
  ['no apps', (s) => { s.apps = []; }, '"apps" must list at least 1 item'],
  ['bad CPU quantity', (s) => { s.apps[0].resources = { requests: { cpu: '1 core' } }; }, '"apps[0].resources.requests.cpu" is "1 core": must be a CPU quantity such as 100m or 0.5'],
  ['limit below request', (s) => { s.apps[0].resources = { limits: { memory: '32Mi' } }; }, '"apps[0].resources.limits.memory" is "32Mi": must be at least the request, 64Mi'],
  ['root under restricted', (s) => { s.apps[0].runAsUser = 0; }, '"apps[0].runAsUser" is 0: the restricted profile forbids running as root'],
  ['relative writable path', (s) => { s.apps[0].writablePaths = ['tmp']; }, '"apps[0].writablePaths[0]" is "tmp": must be an absolute path without spaces'],
  ['bad security profile', (s) => { s.apps[0].securityProfile = 'privileged'; }, '"apps[0].securityProfile" is "privileged": must be one of restricted, baseline'],
  ['routing without a router', (s) => { s.apps[0].routing = { match: [{ header: 'x-canary', value: 'always' }] }; }, '"apps[0].routing" needs gatewayApi or istio (or both)'],
  ['unknown routing key', (s) => { s.apps[0].routing = { gateway: {} }; }, '"apps[0].routing.gateway" is not a known key: allowed keys here are gatewayApi, istio, match'],
  ['gatewayApi without parentRefs', (s) => { s.apps[0].routing = { gatewayApi: {} }; }, '"apps[0].routing.gatewayApi.parentRefs" is required'],
  ['a host name in capitals', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw' }], hostnames: ['Shop.Example.com'] } }; }, '"apps[0].routing.gatewayApi.hostnames[0]" is "Shop.Example.com": must be a lowercase DNS host name'],
  ['a Service parent in the Gateway group', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'canary-demo', kind: 'Service', group: 'gateway.networking.k8s.io' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[0].group" is "gateway.networking.k8s.io": a Service is in the core group, "" (or leave group out)'],
  ['a Gateway parent in the core group', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw', group: '' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[0].group" is "": a Gateway\'s group is "gateway.networking.k8s.io" (or leave group out); for an east-west route give kind: Service'],
  ['the core group spelled "core"', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'canary-demo', kind: 'Service', group: 'core' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[0].group" is "core": must be "" (a Service\'s, the core group) or "gateway.networking.k8s.io" (a Gateway\'s)'],
  ['a parent kind Gateway API does not define', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw', kind: 'Mesh' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[0].kind" is "Mesh": must be one of Gateway, Service'],
  ['one Gateway twice', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw', sectionName: 'https' }, { name: 'gw' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[1]" names Gateway dev/gw again (as parentRefs[0]): give each reference to one parent a sectionName of its own'],
  ['one listener twice', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw', sectionName: 'https' }, { name: 'gw', namespace: 'dev', sectionName: 'https' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[1].sectionName" is "https": parentRefs[0] names the same Gateway and section'],
  ['a track Service as the parent', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'canary-demo-canary', kind: 'Service' }] } }; }, '"apps[0].routing.gatewayApi.parentRefs[0].name" is "canary-demo-canary": a track\'s own Service, one of the route\'s backends; attach the route to the Service the app\'s clients call ("canary-demo")'],
  ['host names on an east-west route', (s) => { s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'canary-demo', kind: 'Service' }], hostnames: ['shop.example.com'] } }; }, '"apps[0].routing.gatewayApi.hostnames" must be left out with a Service parent: a mesh matches a request by the Service it is sent to, and rejects a request to the Service that matches none of its routes'],
  ['an Istio gateway without namespace', (s) => { s.apps[0].routing = { istio: { gateways: ['ingress'] } }; }, '"apps[0].routing.istio.gateways[0]" is "ingress": must be "mesh" or an Istio Gateway as namespace/name'],
  ['a match rule with neither header nor cookie', (s) => { s.apps[0].routing = { istio: {}, match: [{ value: 'x' }] }; }, '"apps[0].routing.match[0]" must name either a header or a cookie'],
  ['a header rule with value and regex', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x-a', value: 'b', regex: 'c' }] }; }, '"apps[0].routing.match[0]" matches header "x-a": give either value or regex'],
  ['a cookie rule with a regex', (s) => { s.apps[0].routing = { istio: {}, match: [{ cookie: 'beta', regex: '.*' }] }; }, '"apps[0].routing.match[0]" matches cookie "beta": give its exact value'],
  ['a cookie value with a semicolon', (s) => { s.apps[0].routing = { istio: {}, match: [{ cookie: 'beta', value: 'a;b' }] }; }, '"apps[0].routing.match[0].value" is "a;b": a cookie value has no spaces'],
  ['a header name with a space', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x canary', value: 'a' }] }; }, '"apps[0].routing.match[0].header" is "x canary": must be an HTTP token'],
  ['a regex that does not compile', (s) => { s.apps[0].routing = { istio: {}, match: [{ header: 'x-a', regex: 'cn-(north' }] }; }, '"apps[0].routing.match[0].regex" is "cn-(north": not an RE2 regular expression (missing closing ): `cn-(north`)'],
  ['a routed stage with traffic but no canary pods', (s) => { s.apps[0].routing = { istio: {} }; s.apps[0].stages = [{ name: 'a', canaryPercent: 10, canaryReplicas: 0 }]; }, '"apps[0].stages[0]" sends 10% to canary but runs 0 canary replicas'],
  ['a routed stage with traffic but no stable pods', (s) => { s.apps[0].routing = { istio: {} }; s.apps[0].stages = [{ name: 'a', canaryPercent: 50, stableReplicas: 0 }]; }, '"apps[0].stages[0]" sends 50% to stable but runs 0 stable replicas'],
  ['an affinity timeout without ClientIP', (s) => { s.apps[0].service.sessionAffinityTimeoutSeconds = 60; }, '"apps[0].service.sessionAffinityTimeoutSeconds" is 60: only applies with sessionAffinity: ClientIP'],
  ['an affinity timeout over a day', (s) => { s.apps[0].service.sessionAffinity = 'ClientIP'; s.apps[0].service.sessionAffinityTimeoutSeconds = 90000; }, '"apps[0].service.sessionAffinityTimeoutSeconds" is 90000: must be a whole number from 1 to 86400'],
  ['a bad affinity', (s) => { s.apps[0].service.sessionAffinity = 'Cookie'; }, '"apps[0].service.sessionAffinity" is "Cookie": must be one of None, ClientIP'],
  ['a Service name too long for track Services', (s) => { s.apps[0].service.name = `s${'a'.repeat(57)}`; s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw' }] } }; }, 'with gatewayApi routing or verify it must be at most 56 characters'],
  ['a config file name with a slash', (s) => { s.apps[0].canary.config = { mountPath: '/etc/x', files: { 'a/b': { content: 'x' } } }; }, '"apps[0].canary.config.files.a/b" is "a/b": must be a ConfigMap key'],
  ['an env value that is a list', (s) => { s.apps[0].stable.env = { A: [1] }; }, '"apps[0].stable.env.A" is [1]: must be a string, number or boolean'],
  ['an autoscaler without a target', (s) => { s.apps[0].canary.autoscaling = { maxReplicas: 6 }; }, '"apps[0].canary.autoscaling" gives no target: give cpuUtilization, memoryUtilization or both'],
  ['a disruption budget of 0', (s) => { s.apps[0].disruptionBudget = { maxUnavailable: 0 }; }, '"apps[0].disruptionBudget.maxUnavailable" is 0: must be a whole number from 1 to 1000'],
  ['a gate that checks nothing', (s) => { s.apps[0].verify = {}; }, '"apps[0].verify" checks nothing: give smoke, prometheus or both'],
  ['a Prometheus window that is not a duration', (s) => { s.apps[0].verify = { prometheus: { url: 'http://p:9090', window: '5 minutes', queries: [{ name: 'q', query: 'up', max: 1 }] } }; }, '"apps[0].verify.prometheus.window" is "5 minutes": must be a Prometheus duration'],
  ['a mirror without a router', (s) => { s.apps[0].stages = [{ name: 'a', stableReplicas: 3, canaryReplicas: 1, mirrorPercent: 10 }]; }, '"apps[0].stages[0].mirrorPercent" is 10: mirroring needs routing'],
  ['a track Service that collides with another app\'s Service', (s) => {
    s.apps[0].routing = { gatewayApi: { parentRefs: [{ name: 'gw' }] } };
    s.apps.push({ name: 'b', namespace: 'dev', createNamespace: false, service: { name: 'canary-demo-canary' }, stable: { image: 'x:1' }, canary: { image: 'x:2' } });
  }, '"apps[1].service.name" is "canary-demo-canary": same Service in the same namespace as "apps[0].service.name"'],
])('%s', (_case, edit, message) => {
  const lines = problems(edit);
  expect(lines.some((line) => line.includes(message))).toBe(true);
  for (const line of lines) expect(line).toMatch(/^canary\.yaml:\d+:\d+: /);
});

test('every problem is reported, one line each, with the line and column of the field', () => {
  const text = [
    'apps:',
    '  - name: nginx',
    '    namespace: dev',
    '    stable:',
    '      image: nginx:1.22',
    '      replica: 3',
    '    canary:',
    '      image: nginx:1.23',
    '      replicas: -2',
  ].join('\n');
  expect(() => parseSpec(text, 'canary.yaml')).toThrow([
    'canary.yaml:6:7: "apps[0].stable.replica" is not a known key: did you mean replicas? allowed keys here are name, image, replicas, env, config, secretEnvFrom, secretMounts, autoscaling',
    'canary.yaml:9:7: "apps[0].canary.replicas" is -2: must be a whole number from 0 to 1000',
  ].join('\n'));
});

test('YAML syntax errors carry line and column', () => {
  expect(() => parseSpec('apps:\n  - name: [nginx\n', 'canary.yaml')).toThrow(/^canary\.yaml:\d+:\d+: YAML syntax error: /);
  expect(() => parseSpec('apps:\n  - name: a\n    name: b\n', 'canary.yaml')).toThrow(/^canary\.yaml:3:5: YAML syntax error: Map keys must be unique/);
});

test('a missing spec file is a plain error', () => {
  expect(() => loadSpec('/nonexistent/canary.yaml')).toThrow('/nonexistent/canary.yaml: cannot read the spec: no such file');
});

test.each([
  ['nginx', true],
  ['nginx:latest', true],
  ['registry.local:5000/nginx', true],
  ['nginx:1.22', false],
  ['registry.local:5000/nginx:1.22', false],
  ['nginx@sha256:0123456789abcdef', false],
])('isFloatingImage(%s) = %s', (image, floating) => {
  expect(isFloatingImage(image)).toBe(floating);
});

test('with routing, replica counts may stand beside a percent', () => {
  const stages = [{ name: 'five', canaryPercent: 5, canaryReplicas: 1, stableReplicas: 3 }];
  expect(problems((s) => { s.apps[0].routing = { istio: {} }; s.apps[0].stages = stages; })).toEqual([]);
  expect(problems((s) => { s.apps[0].stages = stages; })).toEqual([
    expect.stringContaining('"apps[0].stages[0]" gives both canaryPercent and replica counts'),
  ]);
});

test('untagged and :latest images get a warning, not an error', () => {
  const { warnings } = parseSpec(stringify({ apps: [{ ...app(), canary: { name: 'v2', image: 'nginx:latest' } }] }), 'canary.yaml');
  expect(warnings).toEqual([
    expect.stringMatching(/^canary\.yaml:\d+:\d+: "apps\[0\]\.canary\.image" is "nginx:latest": untagged or :latest images change under you/),
    expect.stringContaining('"apps[0].port" is 80: under the restricted profile the container runs as non-root'),
  ]);
});
