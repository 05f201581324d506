import type { MonoFrame } from '../../hal/mic/types.js';
import type { HeadSpec } from './registry.js';

/** A keyword spotted in the stream, in absolute sample indices of the mono stream (AVS KeywordObserver). */
export interface WakeWordDetection {
  readonly keyword: string;
  /** The score that crossed the threshold (the peak of the detection's run of frames). */
  readonly score: number;
  /** Estimated first sample of the wake word. */
  readonly beginIndex: number;
  /** Estimated sample just after the wake word ends. */
  readonly endIndex: number;
  /** Index of the sample just after the chunk at which the detector fired (for latency measurement). */
  readonly detectedIndex: number;
}

/** Per-chunk scores, for parity checks and diagnostics. */
export interface ScoreFrame {
  /** Absolute index of the sample just after the 80 ms chunk that produced these scores. */
  readonly endIndex: number;
  readonly scores: Readonly<Record<string, number>>;
}

export interface WakeWordEngine {
  readonly name: string;
  readonly keywords: readonly string[];
  /**
   * Feeds consecutive mono frames (any length, indices contiguous). Resolves to the detections that
   * completed within this frame, in order.
   */
  feed(frame: MonoFrame): Promise<WakeWordDetection[]>;
  /** Forgets all history, as after mic-off or a source change. */
  reset(): void;
  dispose(): Promise<void>;
}

/**
 * An engine that can change its words while it runs (openWakeWord): `loadKeywords` is the step that
 * can fail (a file missing or corrupt), `useKeywords` switches from the next chunk on and cannot.
 */
export interface KeywordSwitching {
  readonly keywords: readonly string[];
  loadKeywords(heads: readonly HeadSpec[]): Promise<void>;
  useKeywords(heads: readonly HeadSpec[]): void;
}

export function canSwitchKeywords(engine: WakeWordEngine): engine is WakeWordEngine & KeywordSwitching {
  const e = engine as Partial<KeywordSwitching>;
  return typeof e.loadKeywords === 'function' && typeof e.useKeywords === 'function';
}
