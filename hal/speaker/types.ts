/**
 * Where the device's sounds go: ALSA through aplay, a WAV file laid out on the device's timeline,
 * or nowhere. Sounds are mono int16 PCM.
 */
export interface SpeakerDriver {
  /**
   * Plays one sound; resolves once the driver is done with it (a real speaker: when it has been
   * played out; a file sink: at once). Sounds given while one is playing play after it, in order.
   *
   * @param atMs device clock time the sound starts. Real drivers ignore it (they play now); the WAV
   *   sink places the sound at that point of its timeline.
   */
  play(pcm: Int16Array, sampleRate: number, atMs: number): Promise<void>;
  /**
   * Cuts the sound playing now and drops the ones waiting; their `play()` promises resolve.
   * `atMs` is the device clock time of the cut (the WAV sink truncates its timeline there).
   * Optional: a driver without it lets sounds play out.
   */
  stop?(atMs: number): Promise<void>;
  /** Stops playing and releases the device (or writes the file). */
  close(): Promise<void>;
}

