/**
 * The JSON tree operations behind the shadow engine: merge with null-deletes, per-leaf metadata,
 * delta. Pure functions on plain JSON; inputs are never mutated (results share no structure with
 * inputs that a caller could later mutate through).
 *
 * A "leaf" is anything that is not a plain object: strings, numbers, booleans and arrays. Arrays are
 * values as in AWS IoT: replaced whole by an update, compared whole for the delta, one timestamp each.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Metadata mirrors a state tree: an object per object, `{ timestamp }` (epoch seconds) per leaf. */
export interface LeafMetadata {
  timestamp: number;
}
export interface MetadataObject {
  [key: string]: LeafMetadata | MetadataObject;
}

export function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys that would reach Object.prototype through plain assignment; rejected in every update. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export type JsonProblem = { kind: 'not-json'; path: string } | { kind: 'forbidden-key'; path: string } | { kind: 'too-deep'; path: string };

/**
 * Checks that `value` is plain JSON (what JSON.parse can produce, finite numbers only), has no
 * forbidden key and is at most `maxDepth` objects/arrays deep. Returns the first problem found.
 */
export function checkJson(value: unknown, maxDepth: number, path = ''): JsonProblem | undefined {
  const walk = (v: unknown, p: string, depth: number): JsonProblem | undefined => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : { kind: 'not-json', path: p };
    if (Array.isArray(v)) {
      if (depth >= maxDepth) return { kind: 'too-deep', path: p };
      for (let i = 0; i < v.length; i++) {
        const problem = walk(v[i], `${p}[${i}]`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    // A plain object of any realm (JSON.parse, structuredClone, another vm context): its prototype is
    // null or an Object.prototype, whose own prototype is null. Class instances, Maps, Dates are not JSON.
    const proto: unknown = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
    if (proto === null || (typeof proto === 'object' && Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(v) === '[object Object]')) {
      if (depth >= maxDepth) return { kind: 'too-deep', path: p };
      for (const key of Object.keys(v as object)) {
        const child = p === '' ? key : `${p}.${key}`;
        if (FORBIDDEN_KEYS.has(key)) return { kind: 'forbidden-key', path: child };
        const problem = walk((v as Record<string, unknown>)[key], child, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    return { kind: 'not-json', path: p };
  };
  return walk(value, path, 0);
}

export function cloneJson<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

/** Structural equality of JSON values; object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Merges `patch` into `target` (AWS shadow semantics): objects merge key by key, `null` deletes a key,
 * anything else replaces. Objects left empty are pruned, so a section with no leaves disappears.
 * Returns undefined when nothing is left.
 */
export function mergePatch(target: JsonObject | undefined, patch: JsonObject): JsonObject | undefined {
  const out: JsonObject = { ...(target ?? {}) };
  for (const [key, pv] of Object.entries(patch)) {
    if (pv === null) {
      delete out[key];
    } else if (isPlainObject(pv)) {
      const current = out[key];
      const merged = mergePatch(isPlainObject(current) ? current : undefined, pv);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else {
      out[key] = cloneJson(pv);
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The merge patch that turns `from` into `to` (RFC 7386 style: null for each removed key), so a whole
 * section can be replaced through the merge semantics: mergePatch(from, diffPatch(from, to)) equals
 * `to` for any `to` without empty objects. Empty object when they are equal.
 */
export function diffPatch(from: JsonObject | undefined, to: JsonObject | undefined): JsonObject {
  const patch: JsonObject = {};
  // A key whose value is undefined (an optional field spread from TypeScript) counts as absent.
  for (const key of Object.keys(from ?? {})) if (to?.[key] === undefined) patch[key] = null;
  for (const [key, tv] of Object.entries(to ?? {})) {
    const fv = from?.[key];
    if (tv === undefined) continue;
    if (isPlainObject(tv) && isPlainObject(fv)) {
      const sub = diffPatch(fv, tv);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (!deepEqual(fv, tv)) {
      patch[key] = cloneJson(tv);
    }
  }
  return patch;
}

/** Metadata for a whole tree, every leaf stamped `timestamp`. */
export function stampAll(state: JsonObject, timestamp: number): MetadataObject {
  const out: MetadataObject = {};
  for (const [key, v] of Object.entries(state)) out[key] = isPlainObject(v) ? stampAll(v, timestamp) : { timestamp };
  return out;
}

/**
 * The metadata of `next` (the state after merging `patch` into `prev`): leaves the patch wrote get
 * `timestamp`, untouched leaves keep theirs, deleted leaves lose theirs.
 */
export function updateMetadata(
  next: JsonObject,
  prev: JsonObject | undefined,
  prevMeta: MetadataObject | undefined,
  patch: JsonObject | undefined,
  timestamp: number,
): MetadataObject {
  const out: MetadataObject = {};
  for (const [key, nv] of Object.entries(next)) {
    const pv = patch?.[key];
    const om = prevMeta?.[key];
    if (pv === undefined) {
      // Untouched: keep what it had (a document from before metadata existed gets stamped now).
      if (om !== undefined && isPlainObject(nv) === !isLeafMetadata(om)) out[key] = structuredClone(om);
      else out[key] = isPlainObject(nv) ? stampAll(nv, timestamp) : { timestamp };
    } else if (isPlainObject(nv)) {
      const ov = prev?.[key];
      const wasObject = isPlainObject(ov) && isPlainObject(pv);
      out[key] = updateMetadata(
        nv,
        wasObject ? ov : undefined,
        wasObject && om !== undefined && !isLeafMetadata(om) ? om : undefined,
        isPlainObject(pv) ? pv : undefined,
        timestamp,
      );
    } else {
      out[key] = { timestamp };
    }
  }
  return out;
}

function isLeafMetadata(m: LeafMetadata | MetadataObject): m is LeafMetadata {
  return typeof (m as LeafMetadata).timestamp === 'number' && Object.keys(m).length === 1;
}

/** Metadata for the leaves a patch names, deletions (null) included: the `metadata` of an accepted message. */
export function patchMetadata(patch: JsonObject, timestamp: number): MetadataObject {
  const out: MetadataObject = {};
  for (const [key, v] of Object.entries(patch)) out[key] = isPlainObject(v) ? patchMetadata(v, timestamp) : { timestamp };
  return out;
}

/**
 * The delta: every desired leaf whose value differs from the reported one (missing counts as
 * different), arrays compared whole. `exclude` paths (relative to desired) are never compared and
 * never included. Empty object when desired and reported agree.
 */
export function computeDelta(
  desired: JsonObject | undefined,
  reported: JsonObject | undefined,
  exclude?: (path: readonly string[]) => boolean,
  path: readonly string[] = [],
): JsonObject {
  const out: JsonObject = {};
  for (const [key, dv] of Object.entries(desired ?? {})) {
    const p = [...path, key];
    if (exclude?.(p)) continue;
    const rv = reported?.[key];
    if (isPlainObject(dv)) {
      const sub = computeDelta(dv, isPlainObject(rv) ? rv : undefined, exclude, p);
      if (Object.keys(sub).length > 0) out[key] = sub;
    } else if (!deepEqual(dv, rv)) {
      out[key] = cloneJson(dv);
    }
  }
  return out;
}

/** The part of `meta` covering the leaves of `shape` (the delta's metadata). */
export function pickMetadata(meta: MetadataObject | undefined, shape: JsonObject): MetadataObject {
  const out: MetadataObject = {};
  for (const [key, v] of Object.entries(shape)) {
    const m = meta?.[key];
    if (m === undefined) continue;
    if (isPlainObject(v) && !isLeafMetadata(m)) out[key] = pickMetadata(m, v);
    else out[key] = structuredClone(m);
  }
  return out;
}

/** UTF-8 size of a value's JSON text. */
export function jsonByteLength(v: unknown): number {
  return v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v), 'utf8');
}
