import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { Logger } from '../../../hal/log.js';
import { decodeAudioChunk, type AudioChunk } from '../../protocol/audio-chunk.js';
import { parsePayload } from '../../protocol/parse.js';
import type { TopicKind } from '../../protocol/topics.js';
import { UtteranceEndSchema, UtteranceStartSchema, type UtteranceEnd, type UtteranceStart, type UtteranceVerdict } from '../../protocol/utterance.js';
import type { A4bService } from '../a4b/service.js';
import type { RecordingStore } from '../recordings/recording-store.js';
import { UtteranceAssembler } from '../verification/utterance-assembler.js';
import type { VerificationSession, VerificationVerdict, WakeWordVerifier } from '../verification/verifier.js';
import type { CloudClient } from './cloud-client.js';
import type { CloudEventBus } from './cloud-events.js';

/** An utterance whose end never arrives is closed after this long without audio (ms on the clock). */
const IDLE_TIMEOUT_MS = 15_000;
/** Chunks held for an utterance whose start has not arrived yet (QoS 0 audio may overtake QoS 1). */
const MAX_EARLY_CHUNKS = 50;
/** Utterances open at once per device; a device streams one at a time, this only bounds a misbehaving one. */
const MAX_OPEN_PER_DEVICE = 4;

interface OpenUtterance {
  readonly deviceId: string;
  readonly id: number;
  start?: UtteranceStart;
  session?: VerificationSession;
  assembler?: UtteranceAssembler;
  early: AudioChunk[];
  verdict?: VerificationVerdict;
  timer?: TimerHandle;
  closing: boolean;
}

/**
 * Utterances from devices (DOMAIN.md §2): the stream of pre-roll and speech a device sends after a
 * wake word, over MQTT (start, binary audio chunks at QoS 0, end). The cloud re-runs the wake-word
 * engine on it at a stricter rule (WakeWordVerifier) as the audio arrives and publishes the verdict as
 * soon as it is decided, so a false wake stops capture within ~300 ms of the claimed wake word's end
 * rather than at the end of the utterance. Confirmed utterances are kept as recordings if the room's
 * retention policy allows; unconfirmed audio is never kept. This minimal cloud has no assistant
 * behind it: the response to a confirmed utterance carries no audio.
 */
export class UtteranceGateway {
  private readonly open = new Map<string, OpenUtterance>();

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
    },
  ) {}

  get openCount(): number {
    return this.open.size;
  }

  async onStart(deviceId: string, id: number, payload: Buffer): Promise<void> {
    const parsed = parsePayload(UtteranceStartSchema, payload);
    if (!parsed.ok || parsed.value.id !== id) {
      this.deps.log.warn({ deviceId, id, reason: parsed.ok ? 'id differs from the topic' : parsed.message }, 'utterance start dropped');
      return;
    }
    const u = this.entry(deviceId, id);
    if (!u || u.start) return; // a QoS 1 duplicate, or too many open
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
    for (const chunk of early) await this.feed(u, chunk);
  }

  async onAudio(deviceId: string, id: number, payload: Buffer): Promise<void> {
    let chunk: AudioChunk;
    try {
      chunk = decodeAudioChunk(payload);
    } catch (err) {
      this.deps.log.warn({ deviceId, id, err: (err as Error).message }, 'audio chunk dropped');
      return;
    }
    const u = this.entry(deviceId, id);
    if (!u) return;
    if (!u.start) {
      if (u.early.length < MAX_EARLY_CHUNKS) u.early.push(chunk);
      return;
    }
    await this.feed(u, chunk);
  }

  async onEnd(deviceId: string, id: number, payload: Buffer): Promise<void> {
    const parsed = parsePayload(UtteranceEndSchema, payload);
    if (!parsed.ok || parsed.value.id !== id) {
      this.deps.log.warn({ deviceId, id, reason: parsed.ok ? 'id differs from the topic' : parsed.message }, 'utterance end dropped');
      return;
    }
    const u = this.open.get(key(deviceId, id));
    if (!u || u.closing) return;
    await this.close(u, parsed.value);
  }

  /** Closes every open utterance without a recording (shutdown). */
  stop(): void {
    for (const u of this.open.values()) if (u.timer) this.deps.clock.clearTimeout(u.timer);
    this.open.clear();
  }

  private entry(deviceId: string, id: number): OpenUtterance | undefined {
    const k = key(deviceId, id);
    let u = this.open.get(k);
    if (u) {
      if (u.closing) return undefined;
      this.arm(u);
      return u;
    }
    let mine = 0;
    for (const other of this.open.values()) if (other.deviceId === deviceId) mine++;
    if (mine >= MAX_OPEN_PER_DEVICE) {
      this.deps.log.warn({ deviceId, id }, 'too many open utterances; dropped');
      return undefined;
    }
    u = { deviceId, id, early: [], closing: false };
    this.open.set(k, u);
    this.arm(u);
    return u;
  }

  private arm(u: OpenUtterance): void {
    if (u.timer) this.deps.clock.clearTimeout(u.timer);
    u.timer = this.deps.clock.setTimeout(() => {
      this.deps.log.warn({ deviceId: u.deviceId, id: u.id }, 'utterance never ended; closed');
      void this.close(u, undefined);
    }, IDLE_TIMEOUT_MS);
  }

  private async feed(u: OpenUtterance, chunk: AudioChunk): Promise<void> {
    if (u.session) {
      const verdict = await u.session.push(chunk);
      if (verdict && !u.verdict) await this.publishVerdict(u, verdict);
    } else {
      u.assembler?.add(chunk);
    }
  }

  private async publishVerdict(u: OpenUtterance, verdict: VerificationVerdict): Promise<void> {
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

  private async close(u: OpenUtterance, end: UtteranceEnd | undefined): Promise<void> {
    u.closing = true;
    if (u.timer) this.deps.clock.clearTimeout(u.timer);
    try {
      if (u.session && !u.verdict) await this.publishVerdict(u, await u.session.finish());
      const assembler = u.session?.assembler ?? u.assembler;
      const assembled = assembler?.assemble(end?.chunks);
      // confirmed by verification; a tap needs none; an unverifiable wake word is not confirmed (not kept)
      const confirmed = u.verdict ? u.verdict.confirmed : u.start?.initiator === 'tap' ? true : null;
      if (confirmed !== false && u.start && end) await this.publish('utterance/response', u.deviceId, u.id, { id: u.id });
      let recordingId: string | undefined;
      if (confirmed === true && assembled && assembled.audio.length > 0) recordingId = await this.keep(u.deviceId, assembled.audio);
      this.deps.bus.emit('utterance', {
        deviceId: u.deviceId,
        utteranceId: u.id,
        samples: assembled?.audio.length ?? 0,
        missingChunks: assembled?.missingSeqs.length ?? 0,
        confirmed,
        ...(recordingId ? { recordingId } : {}),
      });
    } catch (err) {
      this.deps.log.error({ deviceId: u.deviceId, id: u.id, err: (err as Error).message }, 'utterance not finished cleanly');
    } finally {
      this.open.delete(key(u.deviceId, u.id));
    }
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
