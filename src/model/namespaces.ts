import type { ResolvedAppSpec } from './resolved';

/**
 * Which app's files create each namespace: of the apps that ask to (`createNamespace`), the first, so
 * a namespace has one owner and one Pod Security level. For each app, the index of that app, or
 * undefined where none asks (the namespace must exist). The one place this is decided.
 *
 *   a (shop, create), b (shop, create), c (web) -> 0, 0, undefined
 */
export function namespaceCreators(apps: readonly Pick<ResolvedAppSpec, 'namespace' | 'createNamespace'>[]): (number | undefined)[] {
  const first = new Map<string, number>();
  apps.forEach((app, i) => {
    if (app.createNamespace && !first.has(app.namespace)) first.set(app.namespace, i);
  });
  return apps.map((app) => first.get(app.namespace));
}
