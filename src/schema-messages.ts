import Ajv, { type ErrorObject } from 'ajv';
import { closest } from './suggest';
import { formatPath, formatValue, type Problem } from './spec-error';

/*
 * The spec's shape: the JSON Schema, shipped in the package, and its errors in the tool's words.
 */

/** The JSON Schema of the spec, as shipped in the package. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const SPEC_SCHEMA: object = require('../schema/canary-spec.schema.json');

// Readable rules for the schema's patterns, keyed by the pattern itself.
const PATTERN_RULES: Record<string, string> = {
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$':
    'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  '^[a-z]([-a-z0-9]*[a-z0-9])?$':
    'must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit',
  '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$':
    'must be a label value: letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
  "^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$": 'must be an image reference name[:tag][@digest] with a tag or a full digest, such as nginx:1.22 or registry.example/team/app@sha256:<64 hex digits>',
  '^[^\\u0000-\\u001f\\u007f]+$': 'must hold no control characters or line breaks',
  '^([1-9][0-9]*m|[0-9]+(\\.[0-9]{1,3})?)$': 'must be a CPU quantity such as 100m or 0.5',
  '^[1-9][0-9]*(Mi|Gi)$': 'must be a memory quantity such as 64Mi or 1Gi',
  '^/[^\\s]*$': 'must be an absolute path without spaces',
  '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$':
    'must be a lowercase DNS host name, optionally starting with "*."',
  "^[A-Za-z0-9!#$%&'*+\\-.^_`|~]+$": 'must be an HTTP token: letters, digits and !#$%&\'*+-.^_`|~',
  '^(mesh|[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?)$': 'must be "mesh" or an Istio Gateway as namespace/name',
};

const SCHEMA_ID = (SPEC_SCHEMA as { $id: string }).$id;
let ajv: Ajv | undefined;
/** The spec's schema, or one of its definitions (`app`), compiled once from the one schema file. */
function schemaValidator(definition?: string) {
  ajv ??= new Ajv({ allErrors: true, verbose: true, strict: true, schemas: [SPEC_SCHEMA] });
  return ajv.getSchema(definition ? `${SCHEMA_ID}#/definitions/${definition}` : SCHEMA_ID)!;
}

function pathOf(error: ErrorObject): (string | number)[] {
  const parts = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function rangeRule(schema: { type?: string; minimum?: number; maximum?: number }): string {
  const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `must be ${kind} from ${schema.minimum} to ${schema.maximum}`;
  if (schema.minimum !== undefined) return `must be ${kind} >= ${schema.minimum}`;
  return `must be ${kind} <= ${schema.maximum}`;
}

function schemaProblem(error: ErrorObject): Problem {
  const path = pathOf(error);
  const schema = error.parentSchema as { type?: string; minimum?: number; maximum?: number; properties?: object };
  const value = `is ${formatValue(error.data)}`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const keys = Object.keys(schema.properties ?? {});
      const guess = closest(String(error.params.additionalProperty), keys);
      const hint = guess ? `did you mean ${guess}? ` : '';
      return { path: [...path, error.params.additionalProperty], message: `is not a known key: ${hint}allowed keys here are ${keys.join(', ')}` };
    }
    case 'required':
      return { path: [...path, error.params.missingProperty], message: 'is required' };
    case 'type':
      return { path, message: `${value}: must be ${error.params.type === 'integer' ? 'a whole number' : `of type ${error.params.type}`}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${value}: ${rangeRule(schema)}` };
    case 'pattern':
      return { path, message: `${value}: ${PATTERN_RULES[error.params.pattern] ?? `must match ${error.params.pattern}`}` };
    case 'enum':
      return { path, message: `${value}: must be one of ${error.params.allowedValues.join(', ')}` };
    case 'minLength':
      return { path, message: error.params.limit === 1 ? `${value}: must not be empty` : `${value}: ${error.message}` };
    case 'maxLength':
      return { path, message: `${value}: must be at most ${error.params.limit} characters` };
    case 'minItems':
      return { path, message: `must list at least ${error.params.limit} item` };
    case 'uniqueItems':
      return { path, message: `${value}: must not repeat an item` };
    default:
      return { path, message: `${value}: ${error.message}` };
  }
}

/**
 * Schema problems, one per field (the first rule each field breaks): of a whole spec, or, with
 * `definition`, of one part of it (`app`: one app, as CanaryApp props).
 */
export function checkSchema(data: unknown, definition?: string): Problem[] {
  const validate = schemaValidator(definition);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = schemaProblem(error);
    const key = formatPath(problem.path);
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}
