/**
 * CPU and memory amounts, as the spec writes them (`100m`, `0.5`, `64Mi`, `1Gi`): parsed, bounded,
 * and written in the canonical form the API server stores, so a diff against the cluster shows none.
 *
 *   cpu: 0.5 -> 500m, 2000m -> 2, 1500m -> 1500m
 *   memory: 1024Mi -> 1Gi, 1536Mi -> 1536Mi, 2Gi -> 2Gi
 */

/** The bounds a container's requests and limits must stay within. */
export const CPU_MILLICORES = { min: 1, max: 256_000 } as const;
export const MEMORY_MEBIBYTES = { min: 1, max: 1_048_576 } as const;

export function millicores(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

export function mebibytes(memory: string): number {
  return Number(memory.slice(0, -2)) * (memory.endsWith('Gi') ? 1024 : 1);
}

export function canonicalCpu(cpu: string): string {
  const m = millicores(cpu);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function canonicalMemory(memory: string): string {
  const mi = mebibytes(memory);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

/** `30s` -> 30, `5m` -> 300, `1h` -> 3600 */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600 };
  return Number(duration.slice(0, -1)) * units[duration.slice(-1)];
}
