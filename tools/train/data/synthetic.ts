import { Rng } from '../../bench/fuzz-rng.js';
import { hashOf } from '../hash.js';
import type { FeatureCache } from '../features/cache.js';
import type { FeatureExtractor } from '../features/extractor.js';
import type { Synthesizer, SpeechRequest } from '../tts/synthesizer.js';
import type { TtsEngineName } from '../tts/voices.js';
import type { Plan } from './plan.js';
import type { ClipRecipe, RenderedClip } from './recipes.js';
import { renderClip, speechKey, speechOf } from './render.js';

/**
 * A synthetic clip's features: its embeddings as a device hears it (one stream from the clip's
 * start, chunks x 96), the embeddings of the cloud's view of it (a fresh stream from `cloudStart`,
 * see cloudView), and where its word is, in samples.
 */
export interface ClipFeatures extends ClipMeta {
  readonly embeddings: Float32Array;
  readonly cloud: Float32Array;
}

interface ClipMeta {
  readonly samples: number;
  readonly cloudStart: number;
  readonly wordStart?: number;
  readonly wordEnd?: number;
}

/** The cloud verifies from 500 ms before the word's (estimated) start. */
export const CLOUD_PRE_ROLL = 8000;
/** Length of the cloud's view of a negative, and how far past a positive's end it reaches. */
export const CLOUD_VIEW_SAMPLES = Math.round(2.2 * 16000);
export const CLOUD_AFTER_END = Math.round(0.45 * 16000);

export interface SyntheticDeps {
  readonly cache: FeatureCache;
  readonly extractor: FeatureExtractor;
  readonly synthesizer: Synthesizer;
  /** Identity of the feature models (their hashes), part of every cache key. */
  readonly featureIdentity: string;
  readonly ttsVersions: Readonly<Partial<Record<TtsEngineName, string>>>;
  /** Clips synthesised and featurised per group; the next group's speech is synthesised meanwhile. */
  readonly groupSize?: number;
}

/**
 * The features of every clip of a plan, from the cache where it has them. The rest is made in
 * groups: while one group is rendered and featurised in this thread, the TTS engines (child
 * processes, the other core) already speak the next group.
 */
export async function syntheticFeatures(plan: Plan, deps: SyntheticDeps, onClips: (n: number) => void): Promise<ClipFeatures[]> {
  const out: ClipFeatures[] = new Array<ClipFeatures>(plan.recipes.length);
  const keys = plan.recipes.map((r) => clipKey(r, plan, deps));
  const missing: number[] = [];
  keys.forEach((key, i) => {
    const meta = deps.cache.getJson<ClipMeta>(key);
    const embeddings = meta ? deps.cache.get(key) : undefined;
    const cloud = embeddings ? deps.cache.get(`${key}-cloud`) : undefined;
    if (meta && embeddings && cloud) out[i] = { embeddings, cloud, ...meta };
    else missing.push(i);
  });
  onClips(plan.recipes.length - missing.length);
  if (missing.length === 0) return out;
  const bank = await babbleBanks(plan, deps.synthesizer, missing.some((i) => plan.recipes[i]!.babble.length > 0));
  const size = deps.groupSize ?? 300;
  const groups: number[][] = [];
  for (let at = 0; at < missing.length; at += size) groups.push(missing.slice(at, at + size));
  let speaking = speak(groups[0]!, plan, deps.synthesizer);
  for (const [g, group] of groups.entries()) {
    const speech = await speaking;
    if (g + 1 < groups.length) {
      speaking = speak(groups[g + 1]!, plan, deps.synthesizer);
      // Awaited on the next round; until then a failure must not count as unhandled.
      speaking.catch(() => undefined);
    }
    const clips = group.map((i) => renderClip(plan.recipes[i]!, speech, bank[plan.recipes[i]!.split]));
    const views = group.map((i, k) => cloudView(plan.recipes[i]!, clips[k]!));
    const done: { device?: Float32Array; cloud?: Float32Array }[] = group.map(() => ({}));
    await deps.extractor.embed(
      [...clips.map((c) => [c.audio]), ...views.map((v) => [v.audio])],
      () => undefined,
      (k, embeddings) => {
        const j = k % group.length;
        const both = done[j]!;
        if (k < group.length) both.device = embeddings;
        else both.cloud = embeddings;
        if (!both.device || !both.cloud) return;
        const i = group[j]!;
        const c = clips[j]!;
        const meta: ClipMeta = { samples: c.audio.length, cloudStart: views[j]!.start, ...(c.wordStart === undefined ? {} : { wordStart: c.wordStart, wordEnd: c.wordEnd }) };
        deps.cache.put(keys[i]!, both.device);
        deps.cache.put(`${keys[i]!}-cloud`, both.cloud);
        deps.cache.putJson(keys[i]!, meta);
        if (plan.recipes[i]!.split === 'val') deps.cache.putAudio(keys[i]!, c.audio);
        out[i] = { embeddings: both.device, cloud: both.cloud, ...meta };
        onClips(1);
      },
    );
  }
  return out;
}

/** A recipe's cache key: the recipe, the TTS engines' versions, the babble it borrows and the feature models. */
export function clipKey(recipe: ClipRecipe, plan: Plan, deps: Pick<SyntheticDeps, 'featureIdentity' | 'ttsVersions'>): string {
  const engines = [...new Set(speechOf(recipe).map((r) => r.voice.engine))].sort();
  const babble = recipe.babble.map((i) => {
    const r = plan.babble[recipe.split][i];
    return r ? { key: speechKey(r), tts: deps.ttsVersions[r.voice.engine] } : null;
  });
  return hashOf({ kind: 'synthetic-clip', features: deps.featureIdentity, tts: engines.map((e) => deps.ttsVersions[e]), recipe, babble });
}

/**
 * The audio the cloud would verify: for a positive, from 500 ms before the word's start (moved by
 * -150..+100 ms, as the device's estimate of the start errs) to 450 ms after its end; for a negative,
 * 2.2 s from a random point. Before the clip's start it is digital silence, which the engine's guard
 * turns into its noise floor, as the cloud fills a short pre-roll.
 */
export function cloudView(recipe: ClipRecipe, clip: RenderedClip): { start: number; audio: Int16Array } {
  const rng = new Rng(recipe.condition.seed ^ 0xc10d);
  let start: number;
  let end: number;
  if (clip.wordStart !== undefined && clip.wordEnd !== undefined) {
    start = clip.wordStart - CLOUD_PRE_ROLL + Math.round((-0.15 + 0.25 * rng.next()) * 16000);
    end = clip.wordEnd + CLOUD_AFTER_END;
  } else {
    start = rng.int(Math.max(1, clip.audio.length - CLOUD_VIEW_SAMPLES));
    end = start + CLOUD_VIEW_SAMPLES;
  }
  const audio = new Int16Array(end - start);
  const from = Math.max(0, start);
  audio.set(clip.audio.subarray(from, Math.min(end, clip.audio.length)), from - start);
  return { start, audio };
}

/** The babble banks of both splits as renderClip takes them (empty when `needed` is false: nothing is synthesised). */
export async function babbleBanks(plan: Plan, synthesizer: Synthesizer, needed = true): Promise<Record<'train' | 'val', Float32Array[]>> {
  const bank = { train: [] as Float32Array[], val: [] as Float32Array[] };
  if (!needed) return bank;
  const audio = await synthesizer.synthesize([...plan.babble.train, ...plan.babble.val]);
  audio.forEach((a, k) => (k < plan.babble.train.length ? bank.train : bank.val).push(Float32Array.from(a)));
  return bank;
}

/** Synthesises the distinct speech of a group's recipes. */
export async function speak(group: readonly number[], plan: Plan, synthesizer: Synthesizer): Promise<Map<string, Int16Array>> {
  const requests = new Map<string, SpeechRequest>();
  for (const i of group) for (const r of speechOf(plan.recipes[i]!)) requests.set(speechKey(r), r);
  const list = [...requests.entries()];
  const audio = await synthesizer.synthesize(list.map(([, r]) => r));
  return new Map(list.map(([k], i) => [k, audio[i]!]));
}
