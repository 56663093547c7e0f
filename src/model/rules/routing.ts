import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { ParentKind, RouteProtocol, type GatewayApiRoutingSpec, type MatchRuleSpec, type RoutingSpec } from '../../spec/types';
import { BASELINE, TRACKS } from '../labels';
import type { ResolvedAppSpec } from '../resolved';
import { PARENT_GROUP, parentKind, trackServiceName } from '../routing';

/** One match rule: a header or a cookie, with a value or a regular expression the router can run. */
function matchRuleProblems(rule: MatchRuleSpec, routing: RoutingSpec, rulePath: SpecPath): Problem[] {
  if ((rule.header === undefined) === (rule.cookie === undefined)) return [{ path: rulePath, message: 'must name either a header or a cookie' }];
  if (rule.cookie !== undefined && (rule.value === undefined || rule.regex !== undefined)) {
    return [{ path: rulePath, message: `matches cookie ${formatValue(rule.cookie)}: give its exact value (a cookie takes value, not regex)` }];
  }
  if (rule.header !== undefined && (rule.value === undefined) === (rule.regex === undefined)) {
    return [{ path: rulePath, message: `matches header ${formatValue(rule.header)}: give either value or regex` }];
  }
  if (rule.cookie !== undefined && routing.gatewayApi?.protocol === RouteProtocol.GRPC) {
    return [{ path: rulePath, message: `matches cookie ${formatValue(rule.cookie)}: a GRPCRoute matches gRPC metadata (headers) only; match a header instead` }];
  }
  if (rule.cookie !== undefined && /[\s;,"\\]/.test(rule.value!)) {
    return [{ path: [...rulePath, 'value'], message: `is ${formatValue(rule.value)}: a cookie value has no spaces, ";", ",", quotes or backslashes` }];
  }
  if (rule.regex === undefined) return [];
  // Envoy (Istio and most Gateway API implementations) compiles RE2, which has no look-around or
  // back-references. The RE2 parser is loaded only for a spec that has a regex.
  const { RE2JS } = require('re2js') as typeof import('re2js');
  try {
    RE2JS.compile(rule.regex);
    return [];
  } catch (error) {
    return [{ path: [...rulePath, 'regex'], message: `is ${formatValue(rule.regex)}: not an RE2 regular expression (${(error as Error).message.replace(/^error parsing regexp: /, '')})` }];
  }
}

/**
 * The parents of a Gateway API route, as Gateway API takes them: each group its kind's, no parent
 * named twice but by distinct sectionNames (the CRD's own rules), and for an east-west route a
 * Service the route can split: not one of the app's track Services, which are its backends, and no
 * hostnames, since a mesh matches a request by the Service it is sent to and rejects one that matches
 * no route of the Service.
 */
function parentRefProblems(app: ResolvedAppSpec, gatewayApi: GatewayApiRoutingSpec, path: SpecPath): Problem[] {
  const { parentRefs } = gatewayApi;
  const problems: Problem[] = [];
  const trackServices = new Set([...TRACKS, BASELINE].map((track) => trackServiceName(app.service.name, track)));
  const parentOf = (i: number) => `${parentKind(parentRefs[i])} ${parentRefs[i].namespace ?? app.namespace}/${parentRefs[i].name}`;
  parentRefs.forEach((ref, i) => {
    const at = [...path, 'parentRefs', i];
    const kind = parentKind(ref);
    if (ref.group !== undefined && ref.group !== PARENT_GROUP[kind]) {
      problems.push({
        path: [...at, 'group'],
        message: kind === ParentKind.SERVICE
          ? `is ${formatValue(ref.group)}: a Service is in the core group, "" (or leave group out)`
          : `is ${formatValue(ref.group)}: a Gateway's group is "gateway.networking.k8s.io" (or leave group out); for an east-west route give kind: Service`,
      });
    }
    const earlier = parentRefs.slice(0, i).map((_, j) => j).filter((j) => parentOf(j) === parentOf(i));
    if (earlier.length && [i, ...earlier].some((j) => parentRefs[j].sectionName === undefined)) {
      problems.push({ path: at, message: `names ${parentOf(i)} again (as parentRefs[${earlier[0]}]): give each reference to one parent a sectionName of its own` });
    } else {
      const twin = earlier.find((j) => parentRefs[j].sectionName === ref.sectionName);
      if (twin !== undefined) problems.push({ path: [...at, 'sectionName'], message: `is ${formatValue(ref.sectionName)}: parentRefs[${twin}] names the same ${kind} and section` });
    }
    if (kind === ParentKind.SERVICE && (ref.namespace ?? app.namespace) === app.namespace && trackServices.has(ref.name)) {
      problems.push({ path: [...at, 'name'], message: `is ${formatValue(ref.name)}: a track's own Service, one of the route's backends; attach the route to the Service the app's clients call (${formatValue(app.service.name)})` });
    }
  });
  if (gatewayApi.hostnames && parentRefs.some((ref) => parentKind(ref) === ParentKind.SERVICE)) {
    problems.push({ path: [...path, 'hostnames'], message: 'must be left out with a Service parent: a mesh matches a request by the Service it is sent to, and rejects a request to the Service that matches none of its routes' });
  }
  return problems;
}

/** The routing block: a router to carry it, well-formed match rules and parents. */
export function routingProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const { routing } = app;
  if (!routing) return [];
  const path = [...at, 'routing'];
  return [
    ...(!routing.gatewayApi && !routing.istio
      ? [{ path, message: 'needs gatewayApi or istio (or both): weights and match rules need a router that sees requests' }] : []),
    ...(routing.match ?? []).flatMap((rule, i) => matchRuleProblems(rule, routing, [...path, 'match', i])),
    ...(routing.gatewayApi ? parentRefProblems(app, routing.gatewayApi, [...path, 'gatewayApi']) : []),
  ];
}
