import { DEFAULT_ENDPOINTER_OPTIONS, Endpointer, type EndpointerOptions } from '../../models/vad/endpointer.js';
import { VAD_WINDOW } from '../../models/vad/silero-vad.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import { QuietGate } from '../../models/vad/quiet-gate.js';
import type { AudioRingBuffer, RingReader } from './ring-buffer.js';
import type { StreamEndReason } from '../../cloud-link/protocol/stream.js';

const PUMP_SAMPLES = 1280;

/**
 * One open stream: an upload cursor from the stream's start (pre-roll included) and an end-pointing
 * cursor that feeds the VAD from the end of the wake word. Both are readers of the shared ring.
 */
export class CaptureStream {
  private readonly upload: RingReader;
  private readonly listen: RingReader;
  private readonly endpointer: Endpointer;
  /** The VAD behind the quiet gate (when the floor is finite). */
  private readonly vad: VoiceActivityDetector | undefined;
  private readonly scratch = new Int16Array(PUMP_SAMPLES);
  private readonly vadScratch = new Int16Array(PUMP_SAMPLES);
  /** Where the stream ends once decided; upload continues up to it. */
  private endAt: number | undefined;
  private endReason: StreamEndReason | undefined;
  /** VAD windows completed; window k ends at listenFrom + (k + 1) * VAD_WINDOW. */
  private vadWindows = 0;
  /** Set by close(): a pump still awaiting the VAD must not touch the readers afterwards. */
  private closed = false;

  constructor(
    readonly id: number,
    ring: AudioRingBuffer,
    readonly startIndex: number,
    private readonly listenFrom: number,
    private readonly maxEnd: number,
    vad: VoiceActivityDetector | undefined,
    endpointer: Partial<EndpointerOptions> | undefined,
  ) {
    this.upload = ring.createReader(startIndex);
    this.listen = ring.createReader(listenFrom);
    const options = { ...DEFAULT_ENDPOINTER_OPTIONS, ...endpointer };
    this.endpointer = new Endpointer(options);
    this.vad = vad && Number.isFinite(options.quietFloorDbfs) ? new QuietGate(vad, options.quietFloorDbfs) : vad;
    this.vad?.reset();
  }

  /**
   * Moves both cursors as far as the audio written allows. `emit` receives each uploaded piece (a
   * copy the receiver may keep). Resolves to the end reason once the stream is over.
   */
  async pump(emit: (index: number, samples: Int16Array) => void, final = false): Promise<StreamEndReason | undefined> {
    if (this.endAt === undefined) await this.endpoint();
    // The stream may have been cancelled (mic-off, the cloud said stop) while the VAD ran.
    if (this.closed) return undefined;
    // Upload no further than the VAD has judged, so the stream never runs past where it ends;
    // when the source has ended there is nothing left to judge and everything captured goes.
    const judged = this.vad && !final ? this.listenFrom + this.vadWindows * VAD_WINDOW : this.maxEnd;
    const limit = this.endAt ?? Math.min(this.maxEnd, Math.max(judged, this.listenFrom));
    for (;;) {
      const want = Math.min(PUMP_SAMPLES, limit - this.upload.position);
      if (want <= 0) break;
      const at = this.upload.position;
      const n = this.upload.read(this.scratch, want);
      if (n === 0) break;
      emit(at, this.scratch.slice(0, n));
    }
    if (this.endAt === undefined && this.upload.position >= this.maxEnd) {
      this.endAt = this.maxEnd;
      this.endReason = 'max-length';
    }
    return this.endAt !== undefined && this.upload.position >= this.endAt ? this.endReason : undefined;
  }

  get endIndex(): number {
    return this.endAt ?? this.upload.position;
  }

  /** Closes the stream at once at the current upload position (mic-off, cloud said stop). */
  cancel(reason: StreamEndReason): void {
    this.endAt = this.upload.position;
    this.endReason = reason;
  }

  close(): void {
    this.closed = true;
    this.upload.close();
    this.listen.close();
  }

  private async endpoint(): Promise<void> {
    if (!this.vad) return;
    for (;;) {
      const n = this.listen.read(this.vadScratch);
      if (n === 0) return;
      const probabilities = await this.vad.push(this.vadScratch.subarray(0, n));
      if (this.closed || this.endAt !== undefined) return;
      for (const probability of probabilities) {
        this.vadWindows++;
        const decision = this.endpointer.update(probability);
        if (decision.ended) {
          this.endAt = Math.min(this.maxEnd, this.listenFrom + this.vadWindows * VAD_WINDOW);
          this.endReason = decision.reason;
          return;
        }
      }
    }
  }
}
