import { createHash } from 'node:crypto';

/** sha256 hex of bytes or a string. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * sha256 of a JSON value with object keys sorted at every level, so two recipes that say the same
 * thing hash the same whatever order their fields were written in.
 */
export function hashOf(value: unknown): string {
  return sha256(stableJson(value));
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** A 32-bit seed derived from a run's seed and a label, so each random stream of a run is independent of the others. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  return Number.parseInt(sha256(`${seed}:${labels.join(':')}`).slice(0, 8), 16);
}
