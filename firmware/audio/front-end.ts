import { EventEmitter } from 'node:events';
import type { MonoFrame } from '../../hal/mic/types.js';
import type { EndpointerOptions } from '../../models/vad/endpointer.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import type { ScoreFrame, WakeWordDetection, WakeWordEngine } from '../../models/wakeword/types.js';
import { CaptureStream } from './capture-stream.js';
import { AudioRingBuffer } from './ring-buffer.js';
import {
  DEFAULT_MAX_STREAM_SAMPLES,
  PRE_ROLL_SAMPLES,
  type StreamAudio,
  type StreamEnd,
  type StreamEndReason,
  type StreamStart,
} from '../../cloud-link/protocol/stream.js';

export interface FrontEndEvents {
  detection: [WakeWordDetection];
  /** A detection that arrived while a stream was already open (not acted on). */
  'detection-ignored': [WakeWordDetection];
  scores: [ScoreFrame];
  'stream-start': [StreamStart];
  'stream-audio': [StreamAudio];
  'stream-end': [StreamEnd];
}

export interface FrontEndOptions {
  /** An engine with `process` (openWakeWord) also reports every chunk's scores. */
  engine: WakeWordEngine & { process?(frame: MonoFrame): Promise<{ detections: WakeWordDetection[]; scores: ScoreFrame[] }> };
  /** End-pointing VAD; without it streams end at the maximum length. */
  vad?: VoiceActivityDetector;
  endpointer?: Partial<EndpointerOptions>;
  ringCapacity?: number;
  maxStreamSamples?: number;
  /**
   * Consulted before a detection opens a stream; returning false reports it as `detection-ignored`
   * instead (e.g. the device is busy thinking or speaking).
   */
  acceptDetection?: (d: WakeWordDetection) => boolean;
  preRollSamples?: number;
}

/**
 * The device's audio front end: mono frames go into the shared ring buffer and the wake-word engine;
 * a detection opens a stream that starts 500 ms before the wake word (AVS pre-roll contract) and runs
 * until end of speech or the maximum length. One stream at a time.
 */
export class AudioFrontEnd extends EventEmitter<FrontEndEvents> {
  readonly ring: AudioRingBuffer;
  private readonly engine: FrontEndOptions['engine'];
  private readonly vad: VoiceActivityDetector | undefined;
  private readonly options: FrontEndOptions;
  private stream: CaptureStream | undefined;
  private streamIds = 0;

  constructor(options: FrontEndOptions) {
    super();
    this.options = options;
    this.engine = options.engine;
    this.vad = options.vad;
    this.ring = new AudioRingBuffer(options.ringCapacity === undefined ? {} : { capacity: options.ringCapacity });
  }

  get streaming(): boolean {
    return this.stream !== undefined;
  }

  /** Feeds one mono frame through the ring, the spotter and any open stream. */
  async push(frame: MonoFrame): Promise<void> {
    this.ring.write(frame.samples, frame.index);
    let detections: WakeWordDetection[];
    if (this.engine.process) {
      const result = await this.engine.process(frame);
      for (const s of result.scores) this.emit('scores', s);
      detections = result.detections;
    } else {
      detections = await this.engine.feed(frame);
    }
    for (const d of detections) {
      if (this.stream || this.options.acceptDetection?.(d) === false) {
        this.emit('detection-ignored', d);
        continue;
      }
      this.emit('detection', d);
      this.openForWakeWord(d);
    }
    await this.pump();
  }

  /** Push-to-talk: a stream from now, with no wake word and no pre-roll. */
  startTap(): StreamStart | undefined {
    if (this.stream) return undefined;
    const at = this.ring.writeIndex;
    return this.open({ initiator: 'tap', startIndex: at, listenFrom: at, preRoll: { requestedSamples: 0, availableSamples: 0, complete: true } });
  }

  /** Ends the open stream at once (mic-off, cloud verification failed, source ended). */
  cancel(reason: StreamEndReason = 'cancelled'): void {
    if (!this.stream) return;
    this.stream.cancel(reason);
    this.finish(reason);
  }

  /** Drops all held audio (mic-off) and closes any stream so no pre-roll survives. */
  clear(): void {
    this.cancel('mic-off');
    this.ring.clear();
    this.engine.reset();
  }

  private openForWakeWord(d: WakeWordDetection): void {
    const requested = this.options.preRollSamples ?? PRE_ROLL_SAMPLES;
    const wanted = d.beginIndex - requested;
    const startIndex = Math.max(wanted, this.ring.oldestIndex);
    const available = d.beginIndex - startIndex;
    this.open({
      initiator: 'wakeword',
      keyword: d.keyword,
      detection: d,
      startIndex,
      listenFrom: Math.max(d.endIndex, startIndex),
      wakeWordIndices: { startIndexInSamples: d.beginIndex - startIndex, endIndexInSamples: d.endIndex - startIndex },
      preRoll: { requestedSamples: requested, availableSamples: available, complete: available >= requested },
    });
  }

  private open(start: Omit<StreamStart, 'id'> & { listenFrom: number }): StreamStart {
    const id = ++this.streamIds;
    const maxEnd = start.startIndex + (this.options.maxStreamSamples ?? DEFAULT_MAX_STREAM_SAMPLES);
    this.stream = new CaptureStream(id, this.ring, start.startIndex, start.listenFrom, maxEnd, this.vad, this.options.endpointer);
    const { listenFrom: _ignored, ...event } = start;
    const info: StreamStart = { id, ...event };
    this.emit('stream-start', info);
    return info;
  }

  private async pump(final = false): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    const reason = await stream.pump((index, samples) => this.emit('stream-audio', { id: stream.id, index, samples }), final);
    // Only the stream that was pumped may be finished: it may have been cancelled meanwhile.
    if (reason && this.stream === stream) this.finish(reason);
  }

  /** The source has no more audio: close any stream where it stands. */
  async end(): Promise<void> {
    await this.pump(true);
    this.cancel('source-ended');
  }

  private finish(reason: StreamEndReason): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    stream.close();
    this.emit('stream-end', { id: stream.id, endIndex: stream.endIndex, reason });
  }
}
