import type { Clock } from '../../core/clock.js';
import type { StreamStart } from '../../cloud-link/protocol/stream.js';
import type { DeviceState } from '../../cloud-link/protocol/device-states.js';
import type { WakeWordVerifier } from '../../cloud-link/cloud/verification/verifier.js';
import { realWait } from './wait.js';

/** What the gate reads about one device and the cloud's dealings with it. */
export interface GateView {
  state(): DeviceState;
  linkConnected(): boolean;
  /** The cloud's verdict on utterance `id`, once it has decided. */
  verdict(id: number): { confirmed: boolean } | undefined;
  /** What the device's link has received for utterance `id`: the rejection, or the answer. */
  heard(id: number): 'rejected' | 'response' | undefined;
  /** Calls `wake` whenever the device or the cloud records an event; returns the unsubscribe. */
  subscribe(wake: () => void): () => void;
  /** The cloud did not answer within the bound: recorded as a `cloud-late` event. */
  late(info: { utteranceId: number; waitingFor: 'verdict' | 'rejection' | 'answer'; waitedMs: number }): void;
}

interface Request {
  readonly id: number;
  /** Streamed while the link was up: the cloud hears it and will answer. */
  readonly live: boolean;
  /**
   * Absolute sample index by which the device has streamed all the audio the cloud needs for its
   * verdict; undefined when the cloud does not verify this utterance (a tap, an unverifiable wake word).
   */
  readonly decisionAt: number | undefined;
  done: boolean;
}

/**
 * Makes device-in-the-loop runs deterministic while the cloud answers over a real socket.
 *
 * A simulated device runs on audio time, many times faster than real time; the cloud verifies the
 * wake word and answers in real time. Left alone, where in the audio the answer lands would depend
 * on the machine's speed. A real device keeps listening while the cloud decides, so before each
 * frame (and before each step of a clock with no audio) the gate holds device time still until the
 * cloud's answer has arrived *at the device*, at a point fixed by the audio alone:
 *
 * - while LISTENING, once the stream holds all the audio the verifier needs (computed from the
 *   stream's wake-word indices with the cloud's own plan: at most 300 ms after the claimed end of
 *   the wake word), the gate waits for the verdict; a rejection is waited for until the device's
 *   link has it, so the false wake happens at that exact sample on every run;
 * - while THINKING, it waits for the device to hear the answer (or the rejection).
 *
 * Every wait is bounded (`answerTimeoutMs` of real time); when it runs out, a `cloud-late` event is
 * recorded and the device carries on as a real one would (THINKING then ends on its own timeout).
 * Nothing waits when the link was down for the request: the cloud never heard it.
 */
export class CloudGate {
  private request: Request | undefined;
  /** Absolute index just past the last sample the device was given. */
  private fedTo = 0;

  constructor(
    private readonly view: GateView,
    private readonly verifier: WakeWordVerifier | undefined,
    private readonly realClock: Clock,
    private readonly answerTimeoutMs: number,
  ) {}

  /** The device opened a stream (called from its `stream-start` listener, so `linkConnected` is current). */
  onStreamStart(start: StreamStart): void {
    this.request = { id: start.id, live: this.view.linkConnected(), decisionAt: this.decisionIndex(start), done: false };
  }

  /** The device has been given audio up to (not including) absolute index `index`. */
  fed(index: number): void {
    this.fedTo = Math.max(this.fedTo, index);
  }

  /** Before the device is given the frame starting at absolute sample `index`. */
  beforeFrame(index: number): Promise<void> {
    return this.settle(index);
  }

  /** Before device time moves without audio (after the source ended, or while a playback is paused). */
  beforeAdvance(): Promise<void> {
    return this.settle(this.fedTo);
  }

  private async settle(streamedTo: number): Promise<void> {
    const r = this.request;
    if (!r || r.done) return;
    const state = this.view.state();
    if (!r.live || !this.view.linkConnected() || this.view.heard(r.id) !== undefined || (state !== 'LISTENING' && state !== 'THINKING')) {
      // Over for the device (answered, cancelled, mic-off, no speech), or the cloud cannot answer:
      // never heard it, or the link dropped (the end is then not sent and no answer comes).
      r.done = true;
      return;
    }
    if (state === 'LISTENING') {
      let verdict = this.view.verdict(r.id);
      if (!verdict) {
        if (r.decisionAt === undefined || streamedTo < r.decisionAt) return; // the cloud cannot decide yet
        if (!(await this.wait(r, 'verdict', () => this.view.verdict(r.id) !== undefined))) return;
        verdict = this.view.verdict(r.id);
      }
      if (verdict && !verdict.confirmed) await this.wait(r, 'rejection', () => this.view.heard(r.id) === 'rejected');
      return;
    }
    // THINKING: the stream has ended; the cloud answers (or rejects, when it decided only at the end).
    await this.wait(r, 'answer', () => this.view.heard(r.id) !== undefined || !this.view.linkConnected());
  }

  private async wait(r: Request, waitingFor: 'verdict' | 'rejection' | 'answer', condition: () => boolean): Promise<boolean> {
    const started = this.realClock.now();
    const ok = await realWait(this.view, () => condition() || !this.view.linkConnected(), this.answerTimeoutMs, this.realClock);
    if (!ok) {
      r.done = true; // do not stall every later frame on the same late answer
      this.view.late({ utteranceId: r.id, waitingFor, waitedMs: Math.round(this.realClock.now() - started) });
    }
    return ok && this.view.linkConnected();
  }

  /** Where the cloud's verification session will decide (VerificationSession.decisionSample), as an absolute index. */
  private decisionIndex(start: StreamStart): number | undefined {
    const keyword = start.keyword;
    if (start.initiator !== 'wakeword' || keyword === undefined || !this.verifier) return undefined;
    const at = this.verifier.decisionSample({ keyword, preRoll: start.preRoll, ...(start.wakeWordIndices ? { wakeWordIndices: start.wakeWordIndices } : {}) });
    return at === undefined ? undefined : start.startIndex + at;
  }
}
