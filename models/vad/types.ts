/**
 * One stream's voice-activity detector as the end-pointer uses it: samples in, the speech
 * probability of every 512-sample window they complete out. SileroVad runs it in this thread;
 * SpotterPool.openVad() runs it on the pool's worker threads.
 */
export interface VoiceActivityDetector {
  push(samples: Int16Array): Promise<number[]>;
  /** Forgets the stream's state (recurrent state, partial window). */
  reset(): void;
  /** Frees the stream's state wherever it lives. */
  close?(): void;
}
