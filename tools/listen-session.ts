import { driveFrontEnd } from '../firmware/audio/drive.js';
import { AudioFrontEnd } from '../firmware/audio/front-end.js';
import { openMic } from '../hal/mic/open.js';
import { SAMPLE_RATE } from '../core/audio-format.js';
import { SileroVad, SileroVadModel } from '../models/vad/silero-vad.js';
import { loadSpotter, type SpotterCliOptions } from './spotter-options.js';

export interface ListenSessionOptions extends SpotterCliOptions {
  mic: string;
  fast?: boolean;
  /** Channels of the array (alsa, stdin, synthetic; WAV files carry their own). */
  channels?: number;
  /** Seconds of synthetic audio (default endless). */
  duration?: number;
  /** Seconds. */
  maxStream: number;
  vad: boolean;
}

/**
 * A microphone source, the spotter and the VAD wired into an AudioFrontEnd. The caller attaches its
 * listeners to `frontEnd`, then awaits `run()`, which ends with the source, on SIGINT/SIGTERM, and
 * releases everything.
 */
export async function openListenSession(opts: ListenSessionOptions): Promise<{ frontEnd: AudioFrontEnd; run: () => Promise<void> }> {
  const source = openMic(opts.mic, {
    fast: opts.fast === true,
    ...(opts.channels === undefined ? {} : { channels: opts.channels }),
    ...(opts.duration === undefined ? {} : { durationSeconds: opts.duration }),
  });
  const spotter = await loadSpotter(opts);
  const vadModel = opts.vad ? await SileroVadModel.load(opts.modelDir ? { modelDir: opts.modelDir } : {}) : undefined;
  const frontEnd = new AudioFrontEnd({
    engine: spotter.engine,
    ...(vadModel ? { vad: new SileroVad(vadModel) } : {}),
    maxStreamSamples: Math.round(opts.maxStream * SAMPLE_RATE),
  });
  const run = async (): Promise<void> => {
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await driveFrontEnd(source, frontEnd, opts.channel, abort.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      frontEnd.removeAllListeners();
      await source.close();
      await spotter.dispose();
      await vadModel?.dispose();
    }
  };
  return { frontEnd, run };
}

export const seconds = (index: number): number => Math.round((index / SAMPLE_RATE) * 1000) / 1000;
