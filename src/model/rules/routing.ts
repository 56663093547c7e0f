import { formatValue, type Problem, type SpecPath } from '../../spec/problems';
import { RouteProtocol, type MatchRuleSpec, type RoutingSpec } from '../../spec/types';
import type { ResolvedAppSpec } from '../resolved';

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

/** The routing block: a router to carry it, well-formed match rules. */
export function routingProblems(app: ResolvedAppSpec, at: SpecPath): Problem[] {
  const { routing } = app;
  if (!routing) return [];
  const path = [...at, 'routing'];
  return [
    ...(!routing.gatewayApi && !routing.istio
      ? [{ path, message: 'needs gatewayApi or istio (or both): weights and match rules need a router that sees requests' }] : []),
    ...(routing.match ?? []).flatMap((rule, i) => matchRuleProblems(rule, routing, [...path, 'match', i])),
  ];
}
