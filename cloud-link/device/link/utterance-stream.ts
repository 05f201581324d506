import { EventEmitter } from 'node:events';
import type { Logger } from '../../../hal/log.js';
import type { StreamAudio, StreamEnd, StreamStart } from '../../../firmware/audio/stream-types.js';
import { encodeAudioChunk, MAX_CHUNK_SAMPLES } from '../../protocol/audio-chunk.js';
import { parsePayload } from '../../protocol/parse.js';
import type { DeviceTopics } from '../../protocol/topics.js';
import {
  decodeResponseAudio,
  MAX_RESPONSE_BYTES,
  SAMPLE_RATE,
  utteranceEndMessage,
  utteranceStartMessage,
  UtteranceResponseSchema,
  UtteranceVerdictSchema,
  type UtteranceVerdict,
} from '../../protocol/utterance.js';
import type { LinkTransport, MalformedMessage } from './transport.js';

/**
 * Utterances over MQTT, the device's end (cloud-link/protocol/utterance.ts):
 *
 * - start: utterance/{n}/start at QoS 1, the AVS Recognize shape with the on-device spotter's score;
 * - audio: each block of the capture stream as binary chunks (audio-chunk.ts) at QoS 0, numbered
 *   from 0 with their sample offset from the stream start, at most 1 s per chunk;
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
 * dropped as malformed.
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
}

export interface UtteranceStreamEvents {
  verdict: [UtteranceVerdict];
  rejected: [{ id: number; reason: string }];
  response: [{ id: number; audio?: Int16Array; sampleRate?: number }];
  /** The end message went out: what was sent. */
  sent: [{ id: number; samples: number; chunks: number }];
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

  start(start: StreamStart): void {
    const live = this.options.transport.connected;
    this.streams.set(start.id, { id: start.id, startIndex: start.startIndex, live, seq: 0, samples: 0, chunks: 0, writes: [] });
    if (!live) {
      this.options.log.info({ id: start.id }, 'utterance not streamed: the link is down');
      return;
    }
    const message = utteranceStartMessage(start, start.detection ? clamp01(start.detection.score) : undefined);
    this.options.transport.publish(this.options.topics.utteranceStart(start.id), JSON.stringify(message), { qos: 1 }).catch((err: unknown) => {
      this.options.log.debug({ id: start.id, err: (err as Error).message }, 'utterance start not acknowledged');
    });
  }

  audio(audio: StreamAudio): void {
    const s = this.streams.get(audio.id);
    if (!s?.live) return;
    const topic = this.options.topics.utteranceAudio(audio.id);
    for (let from = 0; from < audio.samples.length; from += MAX_CHUNK_SAMPLES) {
      const samples = audio.samples.subarray(from, Math.min(audio.samples.length, from + MAX_CHUNK_SAMPLES));
      const n = samples.length;
      // encodeAudioChunk copies the samples: the ring buffer may reuse its memory right after.
      const payload = encodeAudioChunk({ seq: s.seq++, offset: audio.index + from - s.startIndex, samples });
      s.writes.push(
        this.options.transport.publish(topic, payload, { qos: 0 }).then(
          () => {
            s.samples += n;
            s.chunks++;
          },
          () => undefined, // lost: its seq is the gap the cloud sees
        ),
      );
    }
  }

  end(end: StreamEnd): void {
    const s = this.streams.get(end.id);
    if (!s) return;
    if (!s.live) {
      this.streams.delete(end.id);
      return;
    }
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
    this.emit('response', { id: r.id, ...(audio ? { audio } : {}), sampleRate: r.sampleRate ?? SAMPLE_RATE });
  }

  private malformed(kind: string, result: { code: 400 | 413; message: string }): void {
    this.options.log.warn({ kind, code: result.code, reason: result.message }, 'dropped a malformed message');
    this.emit('malformed', { kind, code: result.code, message: result.message });
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
