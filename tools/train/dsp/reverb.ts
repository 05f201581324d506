import type { Rng } from '../../bench/fuzz-rng.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import { dbToGain } from './levels.js';
import { gaussian } from './noise.js';

export interface RoomSpec {
  /** Time for the reverberation to decay by 60 dB, seconds (0.15 a small furnished room, 0.8 a bare hall). */
  readonly rt60: number;
  /** Direct sound over the reverberant energy, dB (high: the talker is close to the device). */
  readonly directToReverbDb: number;
  /** Seed of the room's reflections. */
  readonly seed: number;
}

/**
 * A synthetic room impulse response: the direct sound at sample 0, a few early reflections in the
 * first 30 ms, then an exponentially decaying noise tail (-60 dB after rt60) whose high frequencies
 * die faster (a one-pole low-pass that closes over time), scaled to the direct-to-reverberant ratio.
 */
export function roomImpulse(room: RoomSpec, rng: Rng): Float32Array {
  const length = Math.round(Math.min(1.2 * room.rt60, 1) * SAMPLE_RATE);
  const h = new Float32Array(Math.max(length, 2));
  const tail = new Float32Array(h.length);
  const decay = 6.91 / (room.rt60 * SAMPLE_RATE); // ln(1000): 60 dB
  for (let k = 0; k < 6; k++) {
    const at = Math.round((0.002 + rng.next() * 0.028) * SAMPLE_RATE);
    if (at < tail.length) tail[at] = tail[at]! + (rng.chance(0.5) ? 1 : -1) * (0.3 + 0.5 * rng.next()) * Math.exp(-decay * at);
  }
  let lp = 0;
  const start = Math.round(0.005 * SAMPLE_RATE);
  for (let i = start; i < tail.length; i++) {
    const openness = Math.exp((-2 * (i - start)) / tail.length);
    lp += openness * (gaussian(rng) - lp);
    tail[i] = tail[i]! + lp * Math.exp(-decay * i) * 0.5;
  }
  let energy = 0;
  for (let i = 0; i < tail.length; i++) energy += tail[i]! * tail[i]!;
  const g = energy > 0 ? 1 / Math.sqrt(energy) / dbToGain(room.directToReverbDb) : 0;
  for (let i = 0; i < h.length; i++) h[i] = tail[i]! * g;
  h[0] = h[0]! + 1;
  return h;
}
