import { AudioFrontEnd } from '../../../../firmware/audio/front-end.js';
import { PRE_ROLL_SAMPLES, type StreamStart } from '../../../../cloud-link/protocol/stream.js';
import { OpenWakeWordEngine } from '../../../../models/wakeword/openwakeword-engine.js';
import type { OpenWakeWordModels } from '../../../../models/wakeword/oww-models.js';
import type { UtteranceChunk } from '../../../../cloud-link/cloud/verification/utterance-assembler.js';
import type { Fixture } from '../../../models/wakeword/fixtures.js';

/** One utterance as the device streams it: its stream start (indices, pre-roll) and its audio. */
export interface DeviceStream {
  readonly start: Pick<StreamStart, 'keyword' | 'wakeWordIndices' | 'preRoll'>;
  readonly audio: Int16Array;
}

/**
 * A positive fixture cut as the device would stream it with a perfect spotter: `preRollSamples`
 * (default 500 ms) before the labelled start of the wake word, to the end of the clip, with the
 * labelled indices relative to the cut.
 */
export function labelledStream(f: Fixture, preRollSamples = PRE_ROLL_SAMPLES): DeviceStream {
  const label = f.label;
  if (!label) throw new Error(`${f.name} has no label`);
  const begin = Math.round(label.startS * 16000);
  const end = Math.round(label.endS * 16000);
  const from = Math.max(0, begin - preRollSamples);
  const available = begin - from;
  return {
    start: {
      keyword: 'alexa',
      wakeWordIndices: { startIndexInSamples: available, endIndexInSamples: end - from },
      preRoll: { requestedSamples: preRollSamples, availableSamples: available, complete: available >= PRE_ROLL_SAMPLES },
    },
    audio: f.samples.slice(from),
  };
}

/**
 * The streams the device itself opens on a clip: the production front end (ring buffer, pre-roll
 * contract, stream indices) with the production spotter at its device settings (threshold 0.5,
 * patience 1), fed 80 ms frames. No VAD: a stream runs to the end of the clip.
 */
export async function deviceStreams(models: OpenWakeWordModels, samples: Int16Array): Promise<DeviceStream[]> {
  const front = new AudioFrontEnd({ engine: new OpenWakeWordEngine(models) });
  const open = new Map<number, { start: StreamStart; parts: Int16Array[] }>();
  const done: DeviceStream[] = [];
  front.on('stream-start', (s) => open.set(s.id, { start: s, parts: [] }));
  front.on('stream-audio', (a) => open.get(a.id)?.parts.push(a.samples));
  front.on('stream-end', (e) => {
    const s = open.get(e.id);
    if (!s) return;
    open.delete(e.id);
    done.push({ start: s.start, audio: concat(s.parts) });
  });
  for (let i = 0; i < samples.length; i += 1280) await front.push({ index: i, samples: samples.slice(i, i + 1280) });
  await front.end();
  return done;
}

/** Splits audio into the numbered chunks the device publishes (default 100 ms each). */
export function toChunks(audio: Int16Array, size = 1600): UtteranceChunk[] {
  const out: UtteranceChunk[] = [];
  for (let offset = 0, seq = 0; offset < audio.length; offset += size, seq++) out.push({ seq, offset, samples: audio.slice(offset, offset + size) });
  return out;
}

export function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
