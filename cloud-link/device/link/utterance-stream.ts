import { EventEmitter } from 'node:events';
import type { Logger } from '../../../core/log.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../protocol/stream.js';
import { encodeAudioChunk, MAX_CHUNK_SAMPLES } from '../../protocol/audio-chunk.js';
import { MAX_UTTERANCE_SAMPLES } from '../../protocol/utterance-limits.js';
import { parsePayload } from '../../protocol/parse.js';
import type { DeviceTopics } from '../../protocol/topics.js';
import type { DeviceContext } from '../../protocol/directives.js';
import type { UtteranceAnswer } from '../../protocol/utterance-answer.js';
import {
  decodeResponseAudio,
  MAX_RESPONSE_BYTES,
  utteranceEndMessage,
  utteranceStartMessage,
  UtteranceRejectedSchema,
  UtteranceResponseSchema,
  UtteranceVerdictSchema,
  type UtteranceRejected,
  type UtteranceVerdict,
} from '../../protocol/utterance.js';
import { SAMPLE_RATE } from '../../../core/audio-format.js';
import type { LinkTransport, MalformedMessage } from './transport.js';

/**
 * Utterances over MQTT, the device's end (cloud-link/protocol/utterance.ts):
 *
 * - start: utterance/{n}/start at QoS 1, the AVS Recognize shape with the on-device spotter's score;
 * - audio: the capture stream as binary chunks (audio-chunk.ts) at QoS 0, numbered from 0 with their
 *   sample offset from the stream start, each exactly 80 ms (1280 samples) except the last, whatever
 *   the size of the blocks the front end hands over (the cloud bounds an utterance's chunks by that
 *   size); a stream longer than the protocol's MAX_UTTERANCE_SAMPLES sends only its first 8.5 s;
 * - end: utterance/{n}/end at QoS 1 with the samples and chunks that actually left the device. It
 *   waits for the chunks before it to be written (or to fail), so the counts are exact and the cloud
 *   can tell a complete stream from one that lost chunks.
 *
 * Nothing is sent for an utterance that started while the link was down (no start, no audio, no
 * end), nor an end once the link has gone: stale audio is worth nothing, and a late QoS 1 end would
 * only confuse the cloud's assembly. Chunks that fail (the link dropped mid-stream) still consume
 * their sequence number, which is how the cloud sees the gap.
 *
 * From the cloud: utterance/{n}/verdict (`verdict`; confirmed false also `rejected`, on which the
 * Device stops capture at once and counts a false wake) and utterance/{n}/response (`response`, the
 * audio decoded, payloads up to MAX_RESPONSE_BYTES). A message whose id differs from its topic's is
 * dropped as malformed. utterance/{n}/rejected (`refused`) says the cloud refused one of the
 * utterance's messages (utterance-limits.ts); it is logged, and a refusal that dropped the utterance
 * stops its audio: the cloud would discard it.
 *
 * The link keeps no audio at rest: chunks are encoded (copied out of the ring buffer) and handed to
 * the socket as they are captured, QoS 0 is never queued for a reconnect, and an utterance's entry
 * here holds only its counters until its end message is out. So delete-recordings has nothing to
 * delete on the device; the recordings it targets live in the cloud.
 */

interface Outgoing {
  readonly id: number;
  readonly startIndex: number;
  /** Sent its start: audio and end follow. */
  readonly live: boolean;
  seq: number;
  samples: number;
  chunks: number;
  writes: Array<Promise<void>>;
  /** Samples waiting to fill the next 80 ms chunk, from stream offset `pendingAt`. */
  pending: Int16Array;
  pendingLength: number;
  pendingAt: number;
  /** The cloud dropped the utterance, or it reached MAX_UTTERANCE_SAMPLES: no more audio goes. */
  stopped: boolean;
}

export interface UtteranceStreamEvents {
  verdict: [UtteranceVerdict];
  rejected: [{ id: number; reason: string }];
  response: [UtteranceAnswer];
  /** The end message went out: what was sent. */
  sent: [{ id: number; samples: number; chunks: number }];
  /** The cloud refused one of the utterance's messages. */
  refused: [UtteranceRejected];
  malformed: [MalformedMessage];
}

export interface UtteranceStreamOptions {
  transport: LinkTransport;
  topics: DeviceTopics;
  log: Logger;
}

export class UtteranceStream extends EventEmitter<UtteranceStreamEvents> {
  private readonly streams = new Map<number, Outgoing>();

  constructor(private readonly options: UtteranceStreamOptions) {
    super();
  }

  /** Utterances under way (open, or their end message being sent). */
  get open(): number {
    return this.streams.size;
  }

  start(start: StreamStart, context?: DeviceContext): void {
    const live = this.options.transport.connected;
    this.streams.set(start.id, {
      id: start.id, startIndex: start.startIndex, live, seq: 0, samples: 0, chunks: 0, writes: [],
      pending: new Int16Array(MAX_CHUNK_SAMPLES), pendingLength: 0, pendingAt: 0, stopped: false,
    });
    if (!live) {
      this.options.log.info({ id: start.id }, 'utterance not streamed: the link is down');
      return;
    }
    const message = utteranceStartMessage(start, start.detection ? clamp01(start.detection.score) : undefined, context);
    this.options.transport.publish(this.options.topics.utteranceStart(start.id), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
      this.options.log.debug({ id: start.id, err: (err as Error).message }, 'utterance start not acknowledged');
    });
  }

  audio(audio: StreamAudio): void {
    const s = this.streams.get(audio.id);
    if (!s?.live || s.stopped) return;
    let at = audio.index - s.startIndex;
    // Contiguous from the stream start (the ring reader never skips); a jump would only close the chunk early.
    if (s.pendingLength > 0 && s.pendingAt + s.pendingLength !== at) this.flush(s);
    const room = Math.max(0, MAX_UTTERANCE_SAMPLES - at);
    const samples = audio.samples.length > room ? audio.samples.subarray(0, room) : audio.samples;
    if (samples.length < audio.samples.length) {
      s.stopped = true;
      this.options.log.warn({ id: s.id, maxSamples: MAX_UTTERANCE_SAMPLES }, 'utterance longer than the protocol carries; the rest is not streamed');
    }
    // Copied into the pending chunk: the ring buffer may reuse its memory right after.
    for (let from = 0; from < samples.length; ) {
      if (s.pendingLength === 0) s.pendingAt = at;
      const n = Math.min(MAX_CHUNK_SAMPLES - s.pendingLength, samples.length - from);
      s.pending.set(samples.subarray(from, from + n), s.pendingLength);
      s.pendingLength += n;
      from += n;
      at += n;
      if (s.pendingLength === MAX_CHUNK_SAMPLES) this.flush(s);
    }
    if (s.stopped) this.flush(s);
  }

  end(end: StreamEnd): void {
    const s = this.streams.get(end.id);
    if (!s) return;
    if (!s.live) {
      this.streams.delete(end.id);
      return;
    }
    this.flush(s);
    void Promise.all(s.writes).then(() => {
      this.streams.delete(end.id);
      if (!this.options.transport.connected) {
        this.options.log.info({ id: end.id }, 'utterance end not sent: the link went down');
        return;
      }
      const message = utteranceEndMessage(end, { samples: s.samples, chunks: s.chunks });
      this.emit('sent', { id: end.id, samples: s.samples, chunks: s.chunks });
      this.options.transport.publish(this.options.topics.utteranceEnd(end.id), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
        this.options.log.debug({ id: end.id, err: (err as Error).message }, 'utterance end not acknowledged');
      });
    });
  }

  onVerdict(n: number, payload: Buffer): void {
    const parsed = parsePayload(UtteranceVerdictSchema, payload);
    if (!parsed.ok) return this.malformed('utterance/verdict', parsed);
    const v = parsed.value;
    if (v.id !== n) return this.malformed('utterance/verdict', { code: 400, message: `id ${v.id} does not match the topic's utterance ${n}` });
    this.emit('verdict', v);
    if (!v.confirmed) {
      const reason = v.reason ?? `wake word not confirmed by the cloud (score ${v.score.toFixed(3)} < ${v.threshold.toFixed(3)})`;
      this.options.log.info({ id: v.id, score: v.score, threshold: v.threshold }, 'cloud did not confirm the wake word');
      this.emit('rejected', { id: v.id, reason });
    }
  }

  onRejected(n: number, payload: Buffer): void {
    const parsed = parsePayload(UtteranceRejectedSchema, payload);
    if (!parsed.ok) return this.malformed('utterance/rejected', parsed);
    const r = parsed.value;
    if (r.id !== n) return this.malformed('utterance/rejected', { code: 400, message: `id ${r.id} does not match the topic's utterance ${n}` });
    this.options.log.warn({ id: r.id, code: r.code, refused: r.refused, seq: r.seq, dropped: r.dropped, reason: r.message }, 'the cloud refused an utterance message');
    const s = this.streams.get(r.id);
    if (r.dropped && s) {
      s.stopped = true;
      s.pendingLength = 0;
    }
    this.emit('refused', r);
  }

  onResponse(n: number, payload: Buffer): void {
    const parsed = parsePayload(UtteranceResponseSchema, payload, { maxBytes: MAX_RESPONSE_BYTES });
    if (!parsed.ok) return this.malformed('utterance/response', parsed);
    const r = parsed.value;
    if (r.id !== n) return this.malformed('utterance/response', { code: 400, message: `id ${r.id} does not match the topic's utterance ${n}` });
    let audio: Int16Array | undefined;
    try {
      audio = r.audio === undefined ? undefined : decodeResponseAudio(r.audio);
    } catch (err) {
      return this.malformed('utterance/response', { code: 400, message: (err as Error).message });
    }
    this.emit('response', {
      id: r.id,
      ...(audio ? { audio } : {}),
      sampleRate: r.sampleRate ?? SAMPLE_RATE,
      ...(r.intent ? { intent: r.intent } : {}),
      ...(r.directives ? { directives: r.directives } : {}),
    });
  }

  /** Sends the pending samples as the next chunk. */
  private flush(s: Outgoing): void {
    if (s.pendingLength === 0) return;
    const n = s.pendingLength;
    // encodeAudioChunk copies the samples, so the pending buffer can be refilled at once.
    const payload = encodeAudioChunk({ seq: s.seq++, offset: s.pendingAt, samples: s.pending.subarray(0, n) });
    s.pendingLength = 0;
    s.writes.push(
      this.options.transport.publish(this.options.topics.utteranceAudio(s.id), payload, { qos: 0 }).then(
        () => {
          s.samples += n;
          s.chunks++;
        },
        () => undefined, // lost: its seq is the gap the cloud sees
      ),
    );
  }

  private malformed(kind: string, result: { code: 400 | 413; message: string }): void {
    this.options.log.warn({ kind, code: result.code, reason: result.message }, 'dropped a malformed message');
    this.emit('malformed', { kind, code: result.code, message: result.message });
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
