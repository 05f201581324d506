import { Rng } from '../../bench/fuzz-rng.js';
import { deriveSeed } from '../hash.js';
import type { Band, Condition } from '../dsp/augment.js';
import type { NoiseColour, ToneKind } from '../dsp/noise.js';
import { commandsFor, negativeSentences } from '../text/sentences.js';
import type { SpeechRequest } from '../tts/synthesizer.js';
import type { Split, TtsEngineName, Voice } from '../tts/voices.js';
import type { ClipKind, ClipRecipe } from './recipes.js';

/** Clips per kind and split for a 30-minute budget; a budget scales them all. */
export const BASE_COUNTS: Readonly<Record<`${Split}:${ClipKind}`, number>> = {
  'train:positive': 4000,
  'train:near-miss': 1400,
  'train:prose': 500,
  'train:command': 300,
  'train:noise': 150,
  'train:tone': 100,
  'train:silence': 50,
  'val:positive': 500,
  'val:near-miss': 500,
  'val:prose': 150,
  'val:command': 60,
  'val:noise': 0,
  'val:tone': 0,
  'val:silence': 0,
};

/** Share of clips per engine: flite and festival (recorded speakers, closest to real speech) above their share of voices. */
const ENGINE_WEIGHTS: ReadonlyArray<readonly [number, TtsEngineName]> = [
  [0.55, 'espeak-ng'],
  [0.27, 'flite'],
  [0.18, 'festival'],
];

/** Talkers in each split's babble bank (dry prose by that split's voices). */
export const BABBLE_BANK = 24;

export interface Plan {
  readonly recipes: readonly ClipRecipe[];
  readonly babble: Readonly<Record<Split, readonly SpeechRequest[]>>;
}

export interface PlanInput {
  readonly word: string;
  readonly voices: readonly Voice[];
  readonly nearMisses: readonly string[];
  readonly seed: number;
  /** Multiplies BASE_COUNTS (budget / 30 minutes); each kind keeps at least a few clips. */
  readonly scale: number;
}

/** Every synthetic clip of a run, in a fixed order, drawn from the run's seed. */
export function planClips(input: PlanInput): Plan {
  const recipes: ClipRecipe[] = [];
  const babble = { train: babbleBank(input, 'train'), val: babbleBank(input, 'val') };
  for (const key of Object.keys(BASE_COUNTS) as (keyof typeof BASE_COUNTS)[]) {
    const [split, kind] = key.split(':') as [Split, ClipKind];
    const base = BASE_COUNTS[key];
    const count = base === 0 ? 0 : Math.max(kind === 'positive' ? 12 : 3, Math.round(base * input.scale));
    const rng = new Rng(deriveSeed(input.seed, 'plan', key));
    const texts = kind === 'near-miss' || kind === 'prose' ? negativeSentences(input.word, input.nearMisses, count, rng, kind === 'near-miss' ? 1 : 0) : [];
    const commands = commandsFor(input.word);
    for (let i = 0; i < count; i++) recipes.push(recipe(input, split, kind, rng, texts[i] ?? '', commands));
  }
  return { recipes, babble };
}

function recipe(input: PlanInput, split: Split, kind: ClipKind, rng: Rng, text: string, commands: readonly string[]): ClipRecipe {
  const voice = pickVoice(input.voices, split, rng);
  const say = (t: string): SpeechRequest => ({ voice, text: t, pitch: quantise(rng.next()), rate: quantise(rng.next()) });
  const condition = sampleCondition(rng);
  const babble = condition.background.kind === 'babble' ? Array.from({ length: condition.background.talkers }, () => rng.int(BABBLE_BANK)) : [];
  const speed = rng.chance(0.7) ? 0.9 + 0.2 * rng.next() : 1;
  const common = { split, kind, babble, condition, speed: Math.round(speed * 1000) / 1000, tailS: round(0.3 + 0.7 * rng.next()), gapS: round(0.1 + 0.3 * rng.next()) };
  if (kind === 'positive') {
    const ending = rng.weighted<string>([[0.7, '.'], [0.2, '?'], [0.1, '!']]);
    const withBefore = rng.chance(0.25);
    return {
      ...common,
      group: `${voice.engine}:${voice.speaker}`,
      speech: say(`${capitalise(input.word)}${ending}`),
      ...(rng.chance(split === 'val' ? 1 : 0.6) ? { after: say(rng.pick(commands)) } : {}),
      ...(withBefore ? { before: say(negativeSentences(input.word, [], 1, rng)[0] ?? 'Okay.') } : {}),
      leadS: round(withBefore ? 0.6 + 0.6 * rng.next() : 1.4 + 0.8 * rng.next()),
      beforeGapS: round(0.3 + 0.5 * rng.next()),
      keepAfterWordS: split === 'val' ? 1.2 : 0.5,
    };
  }
  const leadS = round(0.5 + 1.2 * rng.next());
  if (kind === 'noise' || kind === 'tone' || kind === 'silence') {
    const sound =
      kind === 'noise'
        ? { kind: 'noise' as const, colour: rng.pick<NoiseColour>(['white', 'pink', 'brown']) }
        : kind === 'tone'
          ? { kind: 'tone' as const, tone: rng.pick<ToneKind>(['beeps', 'chord', 'sweep', 'hum']) }
          : undefined;
    return { ...common, group: kind, ...(sound ? { sound, soundS: round(1 + 3 * rng.next()) } : {}), leadS, beforeGapS: 0, gapS: 0, tailS: kind === 'silence' ? round(2 + 2 * rng.next()) : common.tailS };
  }
  const spoken = kind === 'command' ? capitalise(rng.pick(commands)) : text;
  return { ...common, group: `${voice.engine}:${voice.speaker}`, speech: say(spoken), leadS, beforeGapS: 0 };
}

function babbleBank(input: PlanInput, split: Split): SpeechRequest[] {
  const rng = new Rng(deriveSeed(input.seed, 'babble', split));
  const texts = negativeSentences(input.word, [], BABBLE_BANK, rng);
  return texts.map((t) => ({ voice: pickVoice(input.voices, split, rng), text: t, pitch: quantise(rng.next()), rate: quantise(rng.next()) }));
}

/** An engine by ENGINE_WEIGHTS (among those with voices in the split), then one of its voices. */
export function pickVoice(voices: readonly Voice[], split: Split, rng: Rng): Voice {
  const inSplit = voices.filter((v) => v.split === split);
  const engines = ENGINE_WEIGHTS.filter(([, e]) => inSplit.some((v) => v.engine === e));
  const engine = rng.weighted(engines);
  return rng.pick(inSplit.filter((v) => v.engine === engine));
}

/**
 * A microphone's view of a talker: speech at -38..-16 dBFS; a room in 60 % of clips (RT60
 * 0.15-0.8 s); quiet (35 %), white/pink/brown noise at 0-20 dB SNR (40 %) or babble at 5-20 dB
 * (25 %); full band (60 %), a cheap microphone (25 %) or a telephone (15 %); a -75..-55 dBFS floor.
 */
export function sampleCondition(rng: Rng): Condition {
  const r = rng.next();
  const background: Condition['background'] =
    r < 0.35
      ? { kind: 'floor' }
      : r < 0.75
        ? { kind: 'noise', colour: rng.pick<NoiseColour>(['white', 'pink', 'brown']), snrDb: round(20 * rng.next()) }
        : { kind: 'babble', talkers: 3 + rng.int(4), snrDb: round(5 + 15 * rng.next()) };
  const b = rng.next();
  const band: Band = b < 0.6 ? 'full' : b < 0.85 ? 'cheap-mic' : 'phone';
  return {
    speechDbfs: round(-38 + 22 * rng.next()),
    ...(rng.chance(0.6) ? { room: { rt60: round(0.15 + 0.65 * rng.next()), directToReverbDb: round(-2 + 14 * rng.next()), seed: rng.uint32() } } : {}),
    background,
    band,
    floorDbfs: round(-75 + 20 * rng.next()),
    seed: rng.uint32(),
  };
}

const round = (x: number): number => Math.round(x * 100) / 100;
const quantise = (x: number): number => Math.round(x * 4) / 4;

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
