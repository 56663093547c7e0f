import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import type { ResolvedAppSpec } from '../resolved';
import { hasTrackServices, trackServiceName } from '../routing';

/** The longest name a Service or label value may have (DNS-1123 and DNS-1035 labels). */
export const NAME_MAX = 63;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// Room for the "-stable" and "-canary" suffixes of the per-track Services within NAME_MAX characters.
const TRACK_SERVICE_NAME_MAX = NAME_MAX - trackServiceName('', 'canary').length;

/** The Deployments have names of their own, and the Service's name is one Kubernetes takes. */
export function nameProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  return [
    ...(app.canary.name === app.stable.name
      ? [{ path: [...at, 'canary', 'name'], message: `is ${formatValue(app.canary.name)}: must differ from the stable Deployment's name` }] : []),
    ...(app.service.name === app.name && !DNS_1035.test(app.name) ? [{
      path: [...at, 'name'],
      message: `is ${formatValue(app.name)}: the Service is named after the app, and a Service name must start with a letter (DNS-1035); give service.name`,
    }] : []),
    // A `from` file's Service keeps its name, which reaches the files and the printed commands: one Kubernetes takes, or none.
    ...(app.service.given !== undefined && app.service.name !== app.name && (!DNS_1035.test(app.service.name) || app.service.name.length > NAME_MAX) ? [{
      path: [...at, 'from'],
      message: `names the Service ${formatValue(app.service.name)}, which is no Service name Kubernetes takes (a DNS-1035 label: at most 63 lowercase letters, digits and "-", starting with a letter); give service.name`,
    }] : []),
  ];
}

/** The per-track Services' names fit. */
export function trackServiceProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  if (!hasTrackServices(app) || app.service.name.length <= TRACK_SERVICE_NAME_MAX) return [];
  return [{
    path: [...at, 'service', 'name'],
    message: `is ${formatValue(app.service.name)}: with gatewayApi routing or verify it must be at most ${TRACK_SERVICE_NAME_MAX} characters, to leave room for the per-track Services' "-stable" and "-canary"`,
  }];
}
