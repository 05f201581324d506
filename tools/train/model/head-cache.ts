import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeatureCache } from '../features/cache.js';
import { stableJson } from '../hash.js';
import type { EpochLog, HeadRecipe, TrainSet } from './train-head.js';

/** A trained and exported head, as the pipeline keeps it. */
export interface TrainedHead {
  readonly bytes: Uint8Array;
  readonly log: EpochLog[];
  readonly maxDiff: number;
}

/**
 * The identity of a head's training: every value of its training set (seed features, sequences,
 * examples), the recipe, the seed, the tfjs version and the trainer's own code (this folder's
 * modules), so a re-run with the same data trains nothing again and any change trains afresh.
 */
export function trainedHeadKey(set: TrainSet, recipe: HeadRecipe, seed: number, tfVersion: string): string {
  const h = createHash('sha256');
  h.update(stableJson({ kind: 'trained-head', recipe, seed, tfVersion, code: trainerCode() }));
  h.update(bytesOf(set.seedFeatures));
  h.update(Int32Array.of(set.sequences.length));
  for (const s of set.sequences) h.update(Int32Array.of(s.length)).update(bytesOf(s));
  const ex = new Int32Array(set.examples.length * 2);
  set.examples.forEach((e, i) => {
    ex[2 * i] = e.seq;
    ex[2 * i + 1] = e.t;
  });
  h.update(bytesOf(ex)).update(set.examples.map((e) => (e.weight === undefined ? e.cls : `${e.cls}*${e.weight}`)).join(','));
  return h.digest('hex');
}

/** A head trained before on exactly this (see trainedHeadKey), or undefined. */
export function cachedHead(cache: FeatureCache, key: string): TrainedHead | undefined {
  const meta = cache.getJson<{ log: EpochLog[]; maxDiff: number }>(key);
  const bytes = meta ? cache.getBytes(key, 'onnx') : undefined;
  return meta && bytes ? { bytes, ...meta } : undefined;
}

export function cacheHead(cache: FeatureCache, key: string, head: TrainedHead): void {
  cache.putBytes(key, 'onnx', head.bytes);
  cache.putJson(key, { log: head.log, maxDiff: head.maxDiff });
}

let code: string | undefined;

/** The trainer's modules (this folder, as compiled or as sources under a test runner), hashed once. */
function trainerCode(): string {
  if (code) return code;
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const h = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).sort()) h.update(f).update(readFileSync(path.join(dir, f)));
  return (code = h.digest('hex'));
}

function bytesOf(a: Float32Array | Int32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
