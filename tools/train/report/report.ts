import type { ExampleClass, EpochLog } from '../model/train-head.js';
import type { MiningSummary } from '../data/hard-negatives.js';
import type { ValidationResult } from '../eval/validate.js';

/** A real-speech source as the report lists it. */
export interface RealSourceSummary {
  readonly name: string;
  readonly split: 'train' | 'val';
  readonly origin: 'debian' | 'directory';
  readonly language: string;
  readonly licence: string;
  readonly speakers: string;
  readonly clips: number;
  readonly hours: number;
  /** Clips whose transcript contains the word (left out of the negatives; a real recall check). */
  readonly wordClips: number;
}

export interface StageTime {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** What the heads' JSON description and the model card say about the shipped decision. */
export interface ChosenDefaults {
  readonly threshold: number;
  readonly patience: number;
  readonly verifier: { readonly high: number; readonly low: number; readonly patience: number };
  readonly keyphrase?: { readonly text: string; readonly kwsThreshold: number };
}

export interface FeatureModels {
  readonly package: string;
  readonly packageVersion: string;
  readonly melspectrogram: { readonly file: string; readonly sha256: string };
  readonly embedding: { readonly file: string; readonly sha256: string };
}

/** `training-report.json`: everything a run did and measured. */
export interface TrainingReport {
  readonly word: string;
  readonly wakeWord: string;
  readonly command: string;
  readonly seed: number;
  readonly minutes: number;
  readonly versions: Readonly<Record<string, string>>;
  /** The frozen feature models the heads were trained on (and only work with): their files and sha256. */
  readonly featureModels: FeatureModels;
  readonly voices: { readonly train: number; readonly val: number; readonly heldOut: readonly string[] };
  readonly counts: {
    readonly clips: Readonly<Record<string, number>>;
    readonly clipsByVoice: Readonly<Record<string, number>>;
    readonly windows: { readonly stage1: Readonly<Record<ExampleClass, number>>; readonly verifier: Readonly<Record<ExampleClass, number>> };
    readonly real: readonly RealSourceSummary[];
  };
  /** How the verifier's hard negatives were mined from the first stage's detections. */
  readonly mining: MiningSummary;
  readonly nearMisses: readonly string[];
  /** What the run had to do without (a missing engine, voices, real speech). */
  readonly lacks: readonly string[];
  readonly training: { readonly stage1: readonly EpochLog[]; readonly verifier: readonly EpochLog[] };
  readonly export: Readonly<Record<'stage1' | 'verifier', { readonly file: string; readonly bytes: number; readonly sha256: string; readonly maxDiffVsTfjs: number }>>;
  readonly validation: ValidationResult;
  readonly chosen: ChosenDefaults;
  readonly time: { readonly wallSeconds: number; readonly cpuSeconds: number; readonly childCpuSeconds: number; readonly stages: Readonly<Record<string, StageTime>> };
  readonly cache: { readonly dir: string; readonly hits: number; readonly misses: number };
}
