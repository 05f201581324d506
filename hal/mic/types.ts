import type { SAMPLE_RATE } from '../../core/audio-format.js';

/**
 * The microphone array as the firmware sees it: 16 kHz (core/audio-format.ts SAMPLE_RATE), int16, N
 * interleaved channels, delivered in frames stamped with the absolute index (per channel) of their
 * first sample.
 */

/** 80 ms, the openWakeWord chunk: sources deliver frames of this many samples per channel by default. */
export const DEFAULT_FRAME_SAMPLES = 1280;

export interface MicFrame {
  /** Absolute index of the first sample of this frame, counted per channel from the source's start. */
  readonly index: number;
  /** Interleaved int16 samples: `samples.length === frameSamples * channels`. */
  readonly samples: Int16Array;
  readonly channels: number;
}

/** A mono frame: what the ring buffer and the spotter consume. */
export interface MonoFrame {
  readonly index: number;
  readonly samples: Int16Array;
}

export interface MicSourceInfo {
  /** Human-readable description, e.g. `wav:/path/a.wav` or `alsa:plughw:CARD=x,DEV=0`. */
  readonly description: string;
  readonly channels: number;
  readonly sampleRate: typeof SAMPLE_RATE;
}

/**
 * A source of microphone frames. `frames()` may be iterated once; the iteration ends when the source
 * is exhausted (files) or closed. Pull-based, so a fast consumer sets the pace in `fast` mode and a
 * file source paces itself against the injected clock otherwise.
 */
export interface MicSource {
  readonly info: MicSourceInfo;
  frames(): AsyncIterable<MicFrame>;
  /** Stops capture; a pending iteration ends. Idempotent. */
  close(): Promise<void>;
}

/** How the spotter's mono stream is made from the array. */
export type ChannelPolicy = { readonly kind: 'channel'; readonly index: number } | { readonly kind: 'mean' };
