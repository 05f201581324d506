import { Rng } from '../../bench/fuzz-rng.js';
import { EMBEDDING_DIM } from '../../../models/wakeword/oww-models.js';
import { hashOf } from '../hash.js';
import type { FeatureCache } from '../features/cache.js';
import type { FeatureExtractor } from '../features/extractor.js';
import { CLOUD_VIEW_SAMPLES } from '../data/synthetic.js';
import type { RealSource } from './sources.js';
import { GAP_RANGE_S, recentDecoder, sourceStream, streamSegment, type StreamPiece } from './stream.js';

/** A source's continuous stream and its features (one embedding per 80 ms chunk). */
export interface RealStream {
  readonly source: RealSource;
  readonly embeddings: Float32Array;
  readonly pieces: readonly StreamPiece[];
  readonly samples: number;
}

export interface RealDeps {
  readonly cache: FeatureCache;
  readonly extractor: FeatureExtractor;
  readonly featureIdentity: string;
}

/**
 * The features of every source's stream, from the cache where it has them (they depend on the audio
 * and the feature models only, so every word and seed shares them), the rest computed with all
 * sources batched. `onClip` is told of each clip read.
 */
export async function realStreams(sources: readonly RealSource[], deps: RealDeps, onClip: () => void): Promise<RealStream[]> {
  const out: RealStream[] = new Array<RealStream>(sources.length);
  const keys = sources.map((s) => streamKey(s, deps.featureIdentity));
  const missing: number[] = [];
  sources.forEach((source, i) => {
    const meta = deps.cache.getJson<{ pieces: StreamPiece[]; samples: number }>(keys[i]!);
    const embeddings = meta ? deps.cache.get(keys[i]!) : undefined;
    if (meta && embeddings) {
      out[i] = { source, embeddings, ...meta };
      for (let k = 0; k < source.clips.length; k++) onClip();
    } else missing.push(i);
  });
  if (missing.length === 0) return out;
  const streams = missing.map((i) => sourceStream(sources[i]!, onClip));
  await deps.extractor.embed(
    streams.map((s) => s.audio),
    () => undefined,
    (k, embeddings) => {
      const i = missing[k]!;
      const pieces = streams[k]!.pieces;
      const samples = pieces.at(-1)?.end ?? 0;
      deps.cache.put(keys[i]!, embeddings);
      deps.cache.putJson(keys[i]!, { pieces, samples });
      out[i] = { source: sources[i]!, embeddings, pieces, samples };
    },
  );
  return out;
}

function streamKey(source: RealSource, featureIdentity: string): string {
  return hashOf({ kind: 'real-stream', version: 1, features: featureIdentity, name: source.name, fingerprint: source.fingerprint, gap: GAP_RANGE_S });
}

/**
 * The cloud's view of a training source: `count` fresh streams of 2.2 s, each starting 500 ms
 * before a random point inside one of the source's clips (what the cloud re-scores when the device
 * falsely wakes on that speech). Positions come from the source's name, so every word shares them;
 * the result is one array of `count` sequences of equal length, cached as one file. The views are
 * cut and featurised in stream order, so each clip is decoded about once; `onView` is told of each
 * view done (all at once when cached).
 */
export async function realCloudViews(stream: RealStream, count: number, deps: RealDeps, onView: () => void = () => undefined): Promise<Float32Array[]> {
  const key = hashOf({ kind: 'real-cloud-views', version: 1, stream: streamKey(stream.source, deps.featureIdentity), count, length: CLOUD_VIEW_SAMPLES });
  const chunks = Math.floor(CLOUD_VIEW_SAMPLES / 1280);
  const rows = chunks * EMBEDDING_DIM;
  const cached = deps.cache.get(key);
  const split = (all: Float32Array): Float32Array[] => Array.from({ length: all.length / rows }, (_, k) => all.subarray(k * rows, (k + 1) * rows));
  if (cached) {
    for (let k = 0; k < count; k++) onView();
    return split(cached);
  }
  const clips = stream.pieces.filter((p) => p.clip !== undefined && p.end - p.start > 1280);
  if (clips.length === 0) return [];
  const rng = new Rng(Number.parseInt(key.slice(0, 8), 16));
  const starts: number[] = [];
  for (let k = 0; k < count; k++) {
    const piece = rng.pick(clips);
    starts.push(piece.start + rng.int(piece.end - piece.start) - 8000);
  }
  const order = [...starts.keys()].sort((a, b) => starts[a]! - starts[b]! || a - b);
  const decode = recentDecoder(16);
  const lazy = (at: number): AsyncIterable<Int16Array> => ({
    async *[Symbol.asyncIterator]() {
      yield await streamSegment(stream.source, stream.pieces, at, at + CLOUD_VIEW_SAMPLES, decode);
    },
  });
  const embedded = await deps.extractor.embed(order.map((k) => lazy(starts[k]!)), () => undefined, () => onView());
  const all = new Float32Array(count * rows);
  order.forEach((k, j) => all.set(embedded[j]!.subarray(0, rows), k * rows));
  deps.cache.put(key, all);
  return split(all);
}
