/**
 * Real files as users bring them, written here in the shapes they take: `helm template` of a
 * bitnami-style chart (pods labelled only `app.kubernetes.io/*`, a budget, an autoscaler) and a
 * microservices release file (each Deployment labelled `app: <name>`, its Service selecting that).
 */
import type { Manifest } from './cluster-rules';

export const CHART_LABELS = { 'app.kubernetes.io/name': 'nginx', 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'nginx-18.2.4' };
export const CHART_SELECTOR = { 'app.kubernetes.io/name': 'nginx', 'app.kubernetes.io/instance': 'web' };

/** What `helm template web <an nginx chart> -n <namespace>` prints, in its order: no `app` label anywhere. */
export function chartRelease(namespace: string): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web-nginx', namespace, labels: CHART_LABELS } },
    {
      apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-nginx', namespace, labels: CHART_LABELS },
      spec: { maxUnavailable: 1, selector: { matchLabels: CHART_SELECTOR } },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-nginx', namespace, labels: CHART_LABELS },
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'http' }], selector: CHART_SELECTOR },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-nginx', namespace, labels: CHART_LABELS },
      spec: {
        replicas: 2,
        selector: { matchLabels: CHART_SELECTOR },
        template: {
          metadata: { labels: CHART_LABELS },
          spec: {
            serviceAccountName: 'web-nginx',
            containers: [{
              name: 'nginx', image: 'docker.io/bitnami/nginx:1.27.3',
              ports: [{ name: 'http', containerPort: 8080 }],
              securityContext: { runAsUser: 1001, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
          },
        },
      },
    },
    {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web-nginx', namespace, labels: CHART_LABELS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-nginx' },
        minReplicas: 2, maxReplicas: 11,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      },
    },
  ];
}

/** A microservice of a release file of many: labelled `app: <name>`, its Service selecting that. */
export function microservice(name: string, port: number, namespace?: string): Manifest[] {
  return [
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, ...(namespace ? { namespace } : {}) },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 1000 },
            containers: [{ name: 'server', image: `gcr.io/shop/${name}:v0.10.1`, ports: [{ containerPort: port }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, ...(namespace ? { namespace } : {}), labels: { app: name } }, spec: { type: 'ClusterIP', selector: { app: name }, ports: [{ name: 'grpc', port, targetPort: port }] } },
  ];
}

