import { checkSampleRate } from './pcm.js';
import type { SpeakerDriver } from './types.js';

/**
 * A speaker that plays nothing, for headless runs that only want events. The device still times
 * its sounds on its Clock (firmware/speaker/speaker.ts), so behaviour is the same with or without.
 */
export class NullSpeakerDriver implements SpeakerDriver {
  /** Sounds handed over so far, for diagnostics. */
  played = 0;

  async play(_pcm: Int16Array, sampleRate: number, _atMs?: number): Promise<void> {
    checkSampleRate(sampleRate);
    this.played++;
  }

  async stop(): Promise<void> {}

  async close(): Promise<void> {}
}
