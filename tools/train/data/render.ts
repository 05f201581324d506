import { Rng } from '../../bench/fuzz-rng.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { hashOf } from '../hash.js';
import { applyCondition } from '../dsp/augment.js';
import { toFloat } from '../dsp/levels.js';
import { colouredNoise, tones } from '../dsp/noise.js';
import { changeSpeed } from '../dsp/speed.js';
import { engineArguments, type SpeechRequest } from '../tts/synthesizer.js';
import type { ClipRecipe, RenderedClip } from './recipes.js';

/** The identity of a TTS request: engine arguments, voice and text. */
export function speechKey(r: SpeechRequest): string {
  return hashOf({ engine: r.voice.engine, args: engineArguments(r), text: r.text });
}

/** The speech requests a recipe needs. */
export function speechOf(recipe: ClipRecipe): SpeechRequest[] {
  return [recipe.before, recipe.speech, recipe.after].filter((r): r is SpeechRequest => r !== undefined);
}

const seconds = (s: number): number => Math.round(s * SAMPLE_RATE);

/**
 * Lays a recipe out in time and puts it through its condition. `speech` holds the synthesised
 * requests by speechKey; `babble` the babble bank of the recipe's split (dry speech).
 */
export function renderClip(recipe: ClipRecipe, speech: ReadonlyMap<string, Int16Array>, babble: readonly Float32Array[]): RenderedClip {
  const say = (r: SpeechRequest | undefined): Float32Array => {
    if (!r) return new Float32Array(0);
    const audio = speech.get(speechKey(r));
    if (!audio) throw new Error(`speech for "${r.text}" (${r.voice.name}) was not synthesised`);
    return recipe.speed === 1 ? toFloat(audio) : changeSpeed(toFloat(audio), recipe.speed);
  };
  const before = say(recipe.before);
  const main = recipe.sound ? soundOf(recipe) : say(recipe.speech);
  const after = say(recipe.after);
  const parts: Float32Array[] = [new Float32Array(seconds(recipe.leadS))];
  if (before.length > 0) parts.push(before, new Float32Array(seconds(recipe.beforeGapS)));
  const mainStart = parts.reduce((n, p) => n + p.length, 0);
  parts.push(main);
  const mainEnd = mainStart + main.length;
  if (after.length > 0) parts.push(new Float32Array(seconds(recipe.gapS)), after);
  parts.push(new Float32Array(seconds(recipe.tailS)));
  let clip = concat(parts);
  if (recipe.kind === 'positive' && recipe.keepAfterWordS !== undefined) clip = clip.subarray(0, Math.min(clip.length, mainEnd + seconds(recipe.keepAfterWordS)));
  const loud: [number, number] = main.length > 0 ? [mainStart, mainEnd] : [0, clip.length];
  const babbleBank = recipe.babble.map((i) => babble[i % Math.max(1, babble.length)]).filter((b): b is Float32Array => b !== undefined);
  const audio = applyCondition(clip, loud, recipe.condition, babbleBank);
  return recipe.kind === 'positive' ? { audio, wordStart: mainStart, wordEnd: mainEnd } : { audio };
}

function soundOf(recipe: ClipRecipe): Float32Array {
  const n = seconds(recipe.soundS ?? 2);
  const rng = new Rng(recipe.condition.seed ^ 0x51ed);
  const s = recipe.sound!;
  const x = s.kind === 'noise' ? colouredNoise(s.colour, n, rng) : tones(s.tone, n, rng);
  // A sound fades in and out over 50 ms, as most do; a step would be a click.
  const fade = Math.min(800, n >> 1);
  for (let i = 0; i < fade; i++) {
    x[i] = x[i]! * (i / fade);
    x[n - 1 - i] = x[n - 1 - i]! * (i / fade);
  }
  return x;
}

/** Float32 arrays end to end. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
