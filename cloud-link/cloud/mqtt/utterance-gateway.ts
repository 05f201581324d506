import type { Clock, TimerHandle } from '../../../core/clock.js';
import { isEchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import { decodeAudioChunk, type AudioChunk } from '../../protocol/audio-chunk.js';
import { parsePayload } from '../../protocol/parse.js';
import type { TopicKind } from '../../protocol/topics.js';
import { DEFAULT_UTTERANCE_CAPS, type UtteranceCaps } from '../../protocol/utterance-limits.js';
import {
  UtteranceEndSchema,
  UtteranceStartSchema,
  type RefusedMessage,
  type UtteranceEnd,
  type UtteranceRejectionCode,
  type UtteranceStart,
  type UtteranceVerdict,
} from '../../protocol/utterance.js';
import type { A4bService } from '../a4b/service.js';
import type { Assistant } from '../answers/assistant.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import { UtteranceAssembler } from '../verification/utterance-assembler.js';
import type { VerificationSession, VerificationVerdict, WakeWordVerifier } from '../verification/verifier.js';
import type { CloudClient } from './cloud-client.js';
import type { CloudEventBus } from './cloud-events.js';
import { UtteranceRefusals } from './utterance-refusals.js';

interface OpenUtterance {
  readonly deviceId: string;
  readonly id: number;
  readonly openedAt: number;
  start?: UtteranceStart;
  session?: VerificationSession;
  assembler?: UtteranceAssembler;
  early: AudioChunk[];
  earlyBytes: number;
  verdict?: VerificationVerdict;
  timer?: TimerHandle;
  /** Set once it starts closing; later messages for it are ignored. */
  closing?: Closing;
}

/** How an utterance closes: its end arrived, it went stale, or a refusal dropped it. */
type Closing = 'ended' | 'expired' | 'dropped';

/**
 * Utterances from devices (docs/audio-pipeline.md#utterances-on-the-wire): the stream of pre-roll and speech a device sends after a
 * wake word, over MQTT (start, binary audio chunks at QoS 0, end). The cloud re-runs the wake-word
 * engine on it at a stricter rule (WakeWordVerifier) as the audio arrives and publishes the verdict as
 * soon as it is decided, so a false wake stops capture within ~300 ms of the claimed wake word's end
 * rather than at the end of the utterance. Confirmed utterances are kept as recordings if the room's
 * retention policy allows; unconfirmed audio is never kept. With an `assistant`, the response to an
 * utterance that was not refused carries the spoken answer, the intent and the device's directives
 * (answers/assistant.ts); without one it carries nothing to play.
 *
 * Nothing a device sends can make the cloud hold more than its `caps` allow: every number is checked
 * against the protocol's bounds (utterance-limits.ts) before anything is stored, each utterance holds
 * at most one maximum-length utterance of audio, and each device a few open utterances and a byte
 * budget; stale ones expire on the clock. A message that breaks a rule is answered on
 * utterance/{n}/rejected (UtteranceRefusals) and changes nothing else; no handler throws.
 *
 * One verdict per utterance: it is published by whichever comes first, the chunk that completes the
 * decision window or the end, and an utterance that goes stale gets none (its device has long moved
 * on; a late verdict would only be taken for a new one).
 */
export class UtteranceGateway {
  private readonly open = new Map<string, OpenUtterance>();
  private readonly byDevice = new Map<string, Set<OpenUtterance>>();
  private readonly refusals: UtteranceRefusals;
  readonly caps: UtteranceCaps;

  constructor(
    private readonly deps: {
      service: A4bService;
      client: CloudClient;
      clock: Clock;
      bus: CloudEventBus;
      log: Logger;
      recordings: RecordingStore;
      /** Undefined: no verification (every wake word let through, utterances kept as unverified are not kept). */
      verifier?: WakeWordVerifier;
      /** Recognizes and answers each request; undefined: responses carry no audio. */
      assistant?: Assistant;
      caps?: Partial<UtteranceCaps>;
    },
  ) {
    this.caps = { ...DEFAULT_UTTERANCE_CAPS, ...deps.caps };
    this.refusals = new UtteranceRefusals(deps);
  }

  get openCount(): number {
    return this.open.size;
  }

  /** Bytes of audio held for one device's open utterances, or for all devices. */
  heldBytes(deviceId?: string): number {
    const of = (set: Iterable<OpenUtterance>): number => {
      let n = 0;
      for (const u of set) n += bytesOf(u);
      return n;
    };
    return deviceId === undefined ? of(this.open.values()) : of(this.byDevice.get(deviceId) ?? []);
  }

  /** Refusals so far, and how many were published (the rest were rate-limited). */
  get refusalCounts(): { refused: number; published: number } {
    return this.refusals.counts;
  }

  async onStart(deviceId: string, id: number, payload: Buffer): Promise<void> {
    const parsed = parsePayload(UtteranceStartSchema, payload);
    if (!parsed.ok) return this.refuse(deviceId, id, 'start', parsed.code, parsed.message, { drop: true });
    if (parsed.value.id !== id) return this.refuse(deviceId, id, 'start', 400, `id ${parsed.value.id} differs from the topic's utterance ${id}`, { drop: true });
    const u = this.entry(deviceId, id, 'start');
    if (!u || u.start) return; // a QoS 1 duplicate, or refused
    const start = parsed.value;
    u.start = start;
    const verifier = this.deps.verifier;
    if (start.initiator === 'wakeword' && start.keyword !== undefined && verifier?.supports(start.keyword)) {
      u.session = verifier.start({ keyword: start.keyword, preRoll: start.preRoll, ...(start.wakeWordIndices ? { wakeWordIndices: start.wakeWordIndices } : {}) });
    } else {
      u.assembler = new UtteranceAssembler();
      if (start.initiator === 'wakeword') this.deps.log.info({ deviceId, id, keyword: start.keyword }, 'wake word not verifiable here; let through');
    }
    const early = u.early.splice(0);
    u.earlyBytes = 0;
    // Every early chunk joins the utterance now, in order, before any of them is scored (feed adds a
    // chunk before its first await): fed one by one, a chunk arriving while the first ones were scored
    // would overtake the rest, and the session would give their place up as a gap.
    await Promise.all(early.map((chunk) => this.feed(u, chunk)));
  }

  async onAudio(deviceId: string, id: number, payload: Buffer): Promise<void> {
    let chunk: AudioChunk;
    try {
      chunk = decodeAudioChunk(payload);
    } catch (err) {
      const seq = payload.length >= 8 ? payload.readUInt32LE(4) : undefined;
      return this.refuse(deviceId, id, 'audio', 400, (err as Error).message, { seq });
    }
    const u = this.entry(deviceId, id, 'audio');
    if (!u) return;
    const bytes = chunk.samples.byteLength;
    const { maxDeviceBytes, maxEarlyChunks } = this.caps;
    if (this.heldBytes(deviceId) + bytes > maxDeviceBytes) {
      return this.refuse(deviceId, id, 'audio', 429, `the device's open utterances already hold the most audio allowed (${maxDeviceBytes} bytes)`, { seq: chunk.seq });
    }
    if (!u.start) {
      if (u.early.length >= maxEarlyChunks) return this.refuse(deviceId, id, 'audio', 429, `more than ${maxEarlyChunks} chunks before the utterance's start`, { seq: chunk.seq });
      u.early.push(chunk);
      u.earlyBytes += bytes;
      return;
    }
    await this.feed(u, chunk);
  }

  async onEnd(deviceId: string, id: number, payload: Buffer): Promise<void> {
    const parsed = parsePayload(UtteranceEndSchema, payload);
    if (!parsed.ok) return this.refuse(deviceId, id, 'end', parsed.code, parsed.message, { drop: true });
    if (parsed.value.id !== id) return this.refuse(deviceId, id, 'end', 400, `id ${parsed.value.id} differs from the topic's utterance ${id}`, { drop: true });
    const u = this.open.get(key(deviceId, id));
    if (!u || u.closing) return;
    await this.close(u, 'ended', parsed.value);
  }

  /** Closes every open utterance without a recording (shutdown). */
  stop(): void {
    for (const u of this.open.values()) if (u.timer) this.deps.clock.clearTimeout(u.timer);
    this.open.clear();
    this.byDevice.clear();
  }

  private entry(deviceId: string, id: number, what: RefusedMessage): OpenUtterance | undefined {
    const k = key(deviceId, id);
    let u = this.open.get(k);
    if (u) {
      if (u.closing) return undefined;
      this.arm(u);
      return u;
    }
    const mine = this.byDevice.get(deviceId);
    const { maxOpenPerDevice } = this.caps;
    if (mine && mine.size >= maxOpenPerDevice) {
      this.refuse(deviceId, id, what, 429, `more than ${maxOpenPerDevice} utterances open at once`, { drop: true });
      return undefined;
    }
    u = { deviceId, id, openedAt: this.deps.clock.now(), early: [], earlyBytes: 0 };
    this.open.set(k, u);
    if (mine) mine.add(u);
    else this.byDevice.set(deviceId, new Set([u]));
    this.arm(u);
    return u;
  }

  private arm(u: OpenUtterance): void {
    const { clock, log } = this.deps;
    if (u.timer) clock.clearTimeout(u.timer);
    const { idleTimeoutMs, maxAgeMs } = this.caps;
    const delay = Math.max(0, Math.min(idleTimeoutMs, u.openedAt + maxAgeMs - clock.now()));
    u.timer = clock.setTimeout(() => {
      log.warn({ deviceId: u.deviceId, id: u.id }, 'utterance never ended; closed');
      void this.close(u, 'expired', undefined);
    }, delay);
  }

  private async feed(u: OpenUtterance, chunk: AudioChunk): Promise<void> {
    try {
      if (u.session) {
        const verdict = await u.session.push(chunk);
        if (verdict) await this.publishVerdict(u, verdict);
      } else {
        u.assembler?.add(chunk);
      }
    } catch (err) {
      if (isEchosimError(err, 'UTTERANCE_CHUNK_INVALID')) this.refuse(u.deviceId, u.id, 'audio', 400, err.message, { seq: chunk.seq });
      else this.deps.log.error({ deviceId: u.deviceId, id: u.id, err: (err as Error).message }, 'utterance audio not processed');
    }
  }

  /** Publishes the utterance's one verdict; later calls (the end racing the deciding chunk) do nothing. */
  private async publishVerdict(u: OpenUtterance, verdict: VerificationVerdict): Promise<void> {
    // An utterance closed stale or on a refusal gets no verdict from a push still in flight.
    if (u.verdict || u.closing === 'expired' || u.closing === 'dropped') return;
    u.verdict = verdict;
    const body: UtteranceVerdict = {
      id: u.id,
      confirmed: verdict.confirmed,
      score: clamp01(verdict.score),
      threshold: clamp01(verdict.threshold),
      ...(verdict.reason ? { reason: verdict.reason.slice(0, 200) } : {}),
    };
    this.deps.log.info({ deviceId: u.deviceId, id: u.id, confirmed: body.confirmed, score: body.score }, 'wake word verdict');
    this.deps.bus.emit('verdict', { deviceId: u.deviceId, utteranceId: u.id, confirmed: body.confirmed, score: body.score, threshold: body.threshold, ...(body.reason ? { reason: body.reason } : {}) });
    await this.publish('utterance/verdict', u.deviceId, u.id, body);
  }

  private async close(u: OpenUtterance, how: Closing, end: UtteranceEnd | undefined): Promise<void> {
    u.closing = how;
    const dropped = how === 'dropped';
    if (u.timer) this.deps.clock.clearTimeout(u.timer);
    try {
      if (how === 'ended' && u.session) await this.publishVerdict(u, await u.session.finish());
      const assembler = u.session?.assembler ?? u.assembler;
      const assembled = dropped ? undefined : assembler?.assemble(end?.chunks);
      // confirmed by verification; a tap needs none; an unverifiable wake word is not confirmed (not kept)
      const confirmed = u.verdict ? u.verdict.confirmed : u.start?.initiator === 'tap' && !dropped ? true : null;
      let mayKeep = true;
      if (confirmed !== false && u.start && end) {
        const answered = this.deps.assistant && assembled ? await this.deps.assistant.answer({ deviceId: u.deviceId, start: u.start, audio: assembled.audio }) : undefined;
        mayKeep = answered?.mayKeep ?? true;
        await this.publish('utterance/response', u.deviceId, u.id, answered?.body ?? { id: u.id });
      }
      let recordingId: string | undefined;
      if (confirmed === true && mayKeep && assembled && assembled.audio.length > 0) recordingId = await this.keep(u.deviceId, assembled.audio);
      this.deps.bus.emit('utterance', {
        deviceId: u.deviceId,
        utteranceId: u.id,
        samples: assembled?.audio.length ?? 0,
        missingChunks: assembled?.missingSeqs.length ?? 0,
        confirmed,
        ...(recordingId ? { recordingId } : {}),
        ...(dropped ? { dropped: true as const } : {}),
      });
    } catch (err) {
      this.deps.log.error({ deviceId: u.deviceId, id: u.id, err: (err as Error).message }, 'utterance not finished cleanly');
    } finally {
      this.forget(u);
    }
  }

  private forget(u: OpenUtterance): void {
    this.open.delete(key(u.deviceId, u.id));
    const mine = this.byDevice.get(u.deviceId);
    mine?.delete(u);
    if (mine?.size === 0) this.byDevice.delete(u.deviceId);
  }

  /** Answers a refused message; `drop` also closes the utterance, if open, without verdict or response. */
  private refuse(deviceId: string, id: number, refused: RefusedMessage, code: UtteranceRejectionCode, message: string, o: { seq?: number | undefined; drop?: boolean }): void {
    const dropped = o.drop === true;
    this.refusals.refuse(deviceId, { id, code, message: message.slice(0, 300), refused, ...(o.seq === undefined ? {} : { seq: o.seq }), dropped });
    const u = this.open.get(key(deviceId, id));
    if (dropped && u && !u.closing) void this.close(u, 'dropped', undefined);
  }

  /** Keeps the audio under the room's retention policy; returns the recording id, if kept. */
  private async keep(deviceId: string, audio: Int16Array): Promise<string | undefined> {
    const { service, recordings } = this.deps;
    const policy = service.retentionFor(deviceId);
    const meta = await recordings.add({ deviceId, audio, confirmed: true, policy });
    if (!meta) return undefined;
    try {
      service.addRecording({ id: meta.id, deviceId, createdAt: meta.createdAt, bytes: meta.bytes, durationMs: meta.durationMs, confirmed: true });
    } catch (err) {
      // the device was deregistered meanwhile: its audio must not outlive it
      await recordings.delete([meta.id]);
      throw err;
    }
    return meta.id;
  }

  private async publish(kind: TopicKind, deviceId: string, utteranceId: number, body: unknown): Promise<void> {
    try {
      await this.deps.client.publishTo(kind, deviceId, JSON.stringify(body), { utteranceId });
    } catch (err) {
      this.deps.log.warn({ deviceId, kind, err: (err as Error).message }, 'utterance message not published');
    }
  }
}

const key = (deviceId: string, id: number): string => `${deviceId}/${id}`;
const clamp01 = (x: number): number => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
const bytesOf = (u: OpenUtterance): number => ((u.session?.assembler ?? u.assembler)?.heldBytes ?? 0) + u.earlyBytes;
