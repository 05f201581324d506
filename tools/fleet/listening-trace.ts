import type { Device } from '../../firmware/device/device.js';
import type { DeviceEvents } from '../../firmware/device/types.js';
import type { StreamEndReason } from '../../cloud-link/protocol/stream.js';

/**
 * What a listening device decided about the audio it heard, in audio samples: every wake word its
 * spotter detected (acted on or not) and every stream it opened with where and why the stream ended.
 * Two runs over the same audio (a device in a fleet, the same device alone) are compared with
 * `compareTraces`: the fleet shares models, batches inference across devices on worker threads and
 * paces hundreds of devices at once, and none of that may change a decision.
 */
export interface ListeningTrace {
  /** Samples fed to the device. */
  samples: number;
  detections: Array<{ keyword: string; beginIndex: number; endIndex: number; detectedIndex: number; accepted: boolean }>;
  /** `wakeWordAt`: the first sample of the wake word that opened it (none for a tap). */
  streams: Array<{ startIndex: number; wakeWordAt?: number; endIndex?: number; reason?: StreamEndReason }>;
}

/** Records `device`'s decisions until the returned stop() (which removes the listeners). */
export function traceDevice(device: Device): { trace: ListeningTrace; stop(): void } {
  const trace: ListeningTrace = { samples: 0, detections: [], streams: [] };
  const open = new Map<number, ListeningTrace['streams'][number]>();
  const detection = (d: DeviceEvents['detection'][0]): void => {
    trace.detections.push({ keyword: d.keyword, beginIndex: d.beginIndex, endIndex: d.endIndex, detectedIndex: d.detectedIndex, accepted: d.accepted });
  };
  const start = (s: DeviceEvents['stream-start'][0]): void => {
    const entry = { startIndex: s.startIndex, ...(s.detection ? { wakeWordAt: s.detection.beginIndex } : {}) };
    open.set(s.id, entry);
    trace.streams.push(entry);
  };
  const end = (e: DeviceEvents['stream-end'][0]): void => {
    const entry = open.get(e.id);
    if (!entry) return;
    open.delete(e.id);
    Object.assign(entry, { endIndex: e.endIndex, reason: e.reason });
  };
  device.on('detection', detection);
  device.on('stream-start', start);
  device.on('stream-end', end);
  return {
    trace,
    stop: () => {
      device.off('detection', detection);
      device.off('stream-start', start);
      device.off('stream-end', end);
    },
  };
}

/** Stream ends that the audio alone decides (not the wall clock, the cloud or the end of the run). */
const AUDIO_DECIDED: ReadonlySet<StreamEndReason | undefined> = new Set<StreamEndReason | undefined>(['end-of-speech', 'no-speech', 'max-length']);

export interface TraceComparison {
  /** Samples both runs heard (the shorter run decides how far the two can be compared). */
  comparedSamples: number;
  detections: number;
  /** Streams opened by the same wake word in both runs, compared. */
  streamsCompared: number;
  /** Each difference, in words; empty when the runs decided the same. */
  differences: string[];
}

/**
 * Compares a device's decisions in two runs over the same audio, up to the samples both heard: the
 * same detections (word, begin, end, the sample it fired at), and for every stream both opened
 * by the same wake word and ended by the audio in both (end of speech, no speech, maximum length),
 * the same start and end sample and reason.
 * Whether a detection was acted on depends on the device's state (busy with an answer), which follows
 * the cloud's wall clock, so acceptance is not compared; the streams both runs opened are.
 */
export function compareTraces(reference: ListeningTrace, other: ListeningTrace): TraceComparison {
  const span = Math.min(reference.samples, other.samples);
  const differences: string[] = [];
  const key = (d: ListeningTrace['detections'][number]): string => `${d.keyword}@${d.detectedIndex} [${d.beginIndex}, ${d.endIndex})`;
  const a = reference.detections.filter((d) => d.detectedIndex <= span).map(key);
  const b = other.detections.filter((d) => d.detectedIndex <= span).map(key);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) differences.push(`detection ${i + 1}: alone ${a[i] ?? 'none'}, in the fleet ${b[i] ?? 'none'}`);
  }
  // Streams opened by the same wake word in both runs: the same start, end and reason.
  let streamsCompared = 0;
  const ended = (s: ListeningTrace['streams'][number]): boolean => s.endIndex !== undefined && s.endIndex <= span && AUDIO_DECIDED.has(s.reason);
  const byWakeWord = new Map(reference.streams.filter((s) => s.wakeWordAt !== undefined).map((s) => [s.wakeWordAt, s]));
  for (const s of other.streams) {
    const r = s.wakeWordAt === undefined ? undefined : byWakeWord.get(s.wakeWordAt);
    // A stream the cloud cancelled (its verification, a lost link) or the run's end closed has no end-pointing decision to compare.
    if (!r || !ended(r) || !ended(s)) continue;
    streamsCompared++;
    if (r.startIndex !== s.startIndex || r.endIndex !== s.endIndex || r.reason !== s.reason) {
      const said = (x: typeof s): string => `[${x.startIndex}, ${x.endIndex ?? 'open'}) ${x.reason ?? '-'}`;
      differences.push(`stream of the wake word at ${s.wakeWordAt}: alone ${said(r)}, in the fleet ${said(s)}`);
    }
  }
  return { comparedSamples: span, detections: a.length, streamsCompared, differences };
}
