import { createHash } from 'node:crypto';

/**
 * The hash in a ConfigMap's name (a track's config, the gate's): the first 10 hex digits of the
 * SHA-256 of its files, in key order, so the same files always make the same name and any change
 * makes a new one.
 */
export function configHash(files: Record<string, string>): string {
  const sorted = Object.keys(files).sort().map((key) => [key, files[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 10);
}
