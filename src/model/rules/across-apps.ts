import type { ResolvedAppSpec } from '../resolved';
import { BASELINE, TRACKS } from '../labels';
import { baselineName } from '../gate';
import { hasTrackServices, trackServiceName } from '../routing';
import { SecurityProfile } from '../../spec/types';
import { formatPath, formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { namespaceCreators } from '../namespaces';

/*
 * The rules across the apps of one spec (or the CanaryApps of one chart): what would collide on a
 * cluster, and one Pod Security level per namespace.
 */

type Claim = { readonly key: string; readonly path: SpecPath; readonly what: string };

/**
 * Rules across apps: names, node ports and objects that would collide on a cluster, and one Pod
 * Security level per namespace. `at[i]` is where app i stands (`['apps', i]` in a spec file).
 */
export function acrossAppsProblems(apps: readonly ResolvedAppSpec[], at: readonly SpecPath[]): Problem[] {
  const problems: Problem[] = [];
  const claimed = new Map<string, SpecPath>();
  const claim = ({ key, path, what }: Claim, value: unknown) => {
    const earlier = claimed.get(key);
    if (earlier) problems.push({ path, message: `is ${formatValue(value)}: ${what} "${formatPath(earlier)}"` });
    else claimed.set(key, path);
  };
  apps.forEach((app, i) => {
    claim({ key: `app/${app.name}`, path: [...at[i], 'name'], what: 'same app name as' }, app.name);
    if (app.service.nodePort !== undefined) {
      claim({ key: `nodePort/${app.service.nodePort}`, path: [...at[i], 'service', 'nodePort'], what: 'same node port as' }, app.service.nodePort);
    }
    const ns = app.namespace;
    claim({ key: `label/${ns}/${app.appLabel}`, path: [...at[i], 'appLabel'], what: 'the Services would select each other\'s pods: same namespace and appLabel as' }, app.appLabel);
    if (!app.worker) claim({ key: `service/${ns}/${app.service.name}`, path: [...at[i], 'service', 'name'], what: 'same Service in the same namespace as' }, app.service.name);
    if (hasTrackServices(app)) {
      for (const track of TRACKS) {
        const name = trackServiceName(app.service.name, track);
        claim({ key: `service/${ns}/${name}`, path: [...at[i], 'service', 'name'], what: `its ${track} Service ${formatValue(name)} is the same Service in the same namespace as` }, app.service.name);
      }
    }
    for (const track of TRACKS) {
      claim({ key: `deployment/${ns}/${app[track].name}`, path: [...at[i], track, 'name'], what: 'same Deployment in the same namespace as' }, app[track].name);
    }
    if (app.verify?.baseline) {
      claim({ key: `deployment/${ns}/${baselineName(app)}`, path: [...at[i], 'verify', 'baseline'], what: `its baseline Deployment ${formatValue(baselineName(app))} is the same Deployment in the same namespace as` }, true);
      const name = trackServiceName(app.service.name, BASELINE);
      claim({ key: `service/${ns}/${name}`, path: [...at[i], 'verify', 'baseline'], what: `its baseline Service ${formatValue(name)} is the same Service in the same namespace as` }, true);
    }
  });
  // One Namespace enforces one level: the first app that creates it sets it, and every app's pods
  // in it must meet that level.
  const creators = namespaceCreators(apps);
  apps.forEach((app, i) => {
    const creator = creators[i];
    if (creator === undefined || creator === i) return;
    const level = apps[creator].securityProfile;
    if (app.securityProfile !== level && (level === SecurityProfile.RESTRICTED || app.createNamespace)) {
      problems.push({
        path: [...at[i], 'securityProfile'],
        message: `is "${app.securityProfile}": namespace "${app.namespace}" is created by "${formatPath(at[creator])}" enforcing "${level}"; one Namespace enforces one level, and every app in it must meet it`,
      });
    }
  });
  return problems;
}
