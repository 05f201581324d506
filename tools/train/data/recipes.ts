import type { Condition } from '../dsp/augment.js';
import type { NoiseColour, ToneKind } from '../dsp/noise.js';
import type { SpeechRequest } from '../tts/synthesizer.js';
import type { Split } from '../tts/voices.js';

/**
 * What a synthetic clip holds. Positives say the word (alone, or before a command); every other kind
 * is a negative: a near miss in a sentence, ordinary prose, a command without the word, noise,
 * tones, or the quiet of a room.
 */
export type ClipKind = 'positive' | 'near-miss' | 'prose' | 'command' | 'noise' | 'tone' | 'silence';

export type ClipSound = { readonly kind: 'noise'; readonly colour: NoiseColour } | { readonly kind: 'tone'; readonly tone: ToneKind };

/**
 * Everything that makes one synthetic clip, so the clip can be made again and its features cached
 * under the recipe's hash. Layout: quiet lead-in | [before, quiet] | speech (the word, or the
 * negative's text, or a sound) | [gap, after] | quiet tail. Every clip starts after quiet.
 */
export interface ClipRecipe {
  readonly kind: ClipKind;
  readonly split: Split;
  /** Who or what is heard, for reports: `espeak-ng:en-us`, `flite:slt`, `noise`, ... */
  readonly group: string;
  /** Speech before the word (a positive that follows other talk). */
  readonly before?: SpeechRequest;
  /** The word for a positive, the text of a spoken negative. */
  readonly speech?: SpeechRequest;
  /** The command after the word. */
  readonly after?: SpeechRequest;
  /** A non-speech sound instead of speech, `soundS` long. */
  readonly sound?: ClipSound;
  readonly soundS?: number;
  readonly leadS: number;
  readonly beforeGapS: number;
  readonly gapS: number;
  readonly tailS: number;
  /** Speed perturbation of the speech (1 = as synthesised). */
  readonly speed: number;
  readonly condition: Condition;
  /** Indices into the babble bank of this split, for a babble background. */
  readonly babble: readonly number[];
  /** Positives: seconds kept after the word's end (what the head's windows need). */
  readonly keepAfterWordS?: number;
}

/** A rendered clip: 16 kHz int16, with where the word is (positives). */
export interface RenderedClip {
  readonly audio: Int16Array;
  readonly wordStart?: number;
  readonly wordEnd?: number;
}
