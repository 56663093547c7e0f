/*
 * What the tool adds to a pod template of the user's, found by comparing the template it writes
 * with the one given, so that `plan` lists every addition however it came about: a field the given
 * template does not have, at any depth. Containers and volumes are matched by name; a value the
 * template has is never listed, even where the tool sets it (the image, env: `plan` says those).
 */

type Data = { [key: string]: any };

/** A field the written template has and the given one does not: where, and its value. */
export interface Addition {
  /** `spec.containers[web].securityContext.allowPrivilegeEscalation` */
  readonly path: string;
  readonly value: unknown;
}

// Lists whose items are named, and matched by name rather than by place.
const NAMED_LISTS = new Set(['containers', 'initContainers', 'volumes', 'volumeMounts']);

function isObject(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where `made` has what `given` lacks, below `path`. */
function added(given: unknown, made: unknown, path: string, key: string): Addition[] {
  if (given === undefined) return [{ path, value: made }];
  if (isObject(given) && isObject(made)) {
    return Object.keys(made).flatMap((child) => added(given[child], made[child], path ? `${path}.${child}` : child, child));
  }
  if (Array.isArray(given) && Array.isArray(made) && NAMED_LISTS.has(key)) {
    const keyOf = (item: Data) => (key === 'volumeMounts' ? item.mountPath : item.name);
    return made.flatMap((item: Data) => {
      const own = given.find((each: Data) => isObject(each) && keyOf(each) === keyOf(item));
      return added(own, item, `${path}[${keyOf(item)}]`, '');
    });
  }
  return [];
}

/** Every field of the written pod template `made` that the given one lacks, labels aside. */
export function podAdditions(given: Data, made: Data): Addition[] {
  const { labels: _labels, ...madeMeta } = made.metadata ?? {};
  const { labels: _given, ...givenMeta } = given.metadata ?? {};
  return [...added(givenMeta, madeMeta, 'metadata', 'metadata'), ...added(given.spec ?? {}, made.spec ?? {}, 'spec', 'spec')];
}
