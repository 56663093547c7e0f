import Ajv, { type ErrorObject } from 'ajv';
import { closest } from './suggest';
import { formatPath, formatValue, type Problem } from './spec-error';

/*
 * The spec's shape: the JSON Schema generated from src/spec.ts and shipped in the package, and its
 * errors in the tool's words.
 */

/** The JSON Schema of the spec, as shipped in the package. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const SPEC_SCHEMA: object = require('../schema/canary-spec.schema.json');

/** A validator of a spec schema, or of one of its definitions (`AppSpec`), each compiled once. */
function compile(schema: object): (definition?: string) => ReturnType<Ajv['compile']> {
  const id = (schema as { $id: string }).$id;
  // `message`: the words a broken rule prints, kept beside the rule (see src/spec.ts).
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, keywords: [{ keyword: 'message', schemaType: 'string' }], schemas: [schema] });
  return (definition) => ajv.getSchema(definition ? `${id}#/definitions/${definition}` : id)!;
}

function pathOf(error: ErrorObject): (string | number)[] {
  const parts = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function rangeRule(schema: { type?: string | string[]; minimum?: number; maximum?: number }): string {
  const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
  if (schema.minimum !== undefined && schema.maximum !== undefined) return `must be ${kind} from ${schema.minimum} to ${schema.maximum}`;
  if (schema.minimum !== undefined) return `must be ${kind} >= ${schema.minimum}`;
  return `must be ${kind} <= ${schema.maximum}`;
}

function schemaProblem(error: ErrorObject): Problem {
  const schema = error.parentSchema as { type?: string | string[]; minimum?: number; maximum?: number; properties?: object; message?: string };
  // A key that breaks a rule for keys (propertyNames) is named as the field, with the key as its value.
  const key = (error as { propertyName?: string }).propertyName;
  const path = key === undefined ? pathOf(error) : [...pathOf(error), key];
  const value = `is ${formatValue(key === undefined ? error.data : key)}`;
  if (key !== undefined) return { path, message: `${value}: ${schema.message ?? error.message}` };
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
      // A value of several types (EnvValue) says which in its own words.
      if (Array.isArray(schema.type) && schema.message) return { path, message: `${value}: ${schema.message}` };
      return { path, message: `${value}: must be ${error.params.type === 'integer' ? 'a whole number' : `of type ${error.params.type}`}` };
    case 'minProperties':
      return { path, message: `must have at least ${error.params.limit} entry` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${value}: ${rangeRule(schema)}` };
    case 'pattern':
      return { path, message: `${value}: ${(error.parentSchema as { message?: string }).message ?? `must match ${error.params.pattern}`}` };
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
 * A checker for a spec schema: its problems with `data`, one per field (the first rule each field
 * breaks), for a whole spec, or, with `definition`, for one part of it (`AppSpec`: one app, as
 * CanaryApp props).
 */
export function schemaChecker(schema: object): (data: unknown, definition?: string) => Problem[] {
  const validator = compile(schema);
  return (data, definition) => {
    const validate = validator(definition);
    if (validate(data)) return [];
    const seen = new Set<string>();
    const problems: Problem[] = [];
    for (const error of validate.errors ?? []) {
      // Reported by the rule the key broke, with the key in the path.
      if (error.keyword === 'propertyNames') continue;
      const problem = schemaProblem(error);
      const key = formatPath(problem.path);
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(problem);
    }
    return problems;
  };
}

let shipped: ReturnType<typeof schemaChecker> | undefined;

/** Problems of `data` under the shipped schema, compiled on first use. */
export function checkSchema(data: unknown, definition?: string): Problem[] {
  shipped ??= schemaChecker(SPEC_SCHEMA);
  return shipped(data, definition);
}
