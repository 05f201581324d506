import type { MonoFrame } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { inProcessScorer } from './batch-scorer.js';
import { DigitalSilenceGuard } from './digital-silence.js';
import { KeywordDecision } from './decision.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from './oww-models.js';
import type { ChunkScorer, HeadInfo, ScorerSource } from './scorer.js';
import type { ScoreFrame, WakeWordDetection, WakeWordEngine } from './types.js';
import { DEFAULT_BOUNDARY_OPTIONS, EnergyEnvelope, type BoundaryOptions } from './word-boundaries.js';

export interface OpenWakeWordEngineOptions {
  /** Per-keyword threshold; defaults to the manifest's. */
  threshold?: number | Readonly<Record<string, number>>;
  /** Consecutive 80 ms chunks at or above the threshold before a detection (default 1). */
  patience?: number;
  /** Time after a detection during which the keyword cannot fire again (default 1 s). */
  refractoryMs?: number;
  /** Replace exact digital silence with a noise floor (default true). */
  guardDigitalSilence?: boolean;
  boundaries?: Partial<BoundaryOptions>;
}

export interface ProcessResult {
  detections: WakeWordDetection[];
  scores: ScoreFrame[];
}

interface HeadState {
  readonly head: HeadInfo;
  readonly decision: KeywordDecision;
  predictions: number;
}

/**
 * One stream's openWakeWord spotter, faithful to the reference streaming pipeline (docs/wake-word.md#the-three-models):
 * one feature stream shared by every keyword head, the first five predictions of each head forced
 * to zero as the reference does while its buffers fill. Detections carry absolute sample indices.
 * The models run through a ChunkScorer: in this thread over loaded OpenWakeWordModels (batched with
 * the process's other streams), or in a SpotterPool's worker threads.
 */
export class OpenWakeWordEngine implements WakeWordEngine {
  readonly name = 'openwakeword';
  private readonly scorer: ChunkScorer;
  private readonly heads: HeadState[];
  private readonly chunk = new Int16Array(CHUNK_SAMPLES);
  private filled = 0;
  /** Absolute index of the next sample expected. */
  private nextIndex: number | undefined;
  private readonly guard: DigitalSilenceGuard | undefined;
  private readonly envelope = new EnergyEnvelope();
  private readonly boundaryOptions: BoundaryOptions;

  constructor(
    readonly models: OpenWakeWordModels | ScorerSource,
    options: OpenWakeWordEngineOptions = {},
  ) {
    this.scorer = models instanceof OpenWakeWordModels ? inProcessScorer(models) : models.openScorer();
    const refractorySamples = Math.round(((options.refractoryMs ?? 1000) / 1000) * SAMPLE_RATE);
    this.heads = models.heads.map((head) => {
      const threshold =
        typeof options.threshold === 'number' ? options.threshold : (options.threshold?.[head.keyword] ?? head.defaultThreshold);
      return {
        head,
        decision: new KeywordDecision({ threshold, patience: options.patience ?? 1, refractorySamples }),
        predictions: 0,
      };
    });
    this.guard = options.guardDigitalSilence === false ? undefined : new DigitalSilenceGuard();
    this.boundaryOptions = { ...DEFAULT_BOUNDARY_OPTIONS, ...options.boundaries };
  }

  get keywords(): string[] {
    return this.heads.map((h) => h.head.keyword);
  }

  async feed(frame: MonoFrame): Promise<WakeWordDetection[]> {
    return (await this.process(frame)).detections;
  }

  /** Like feed, and also returns every chunk's scores. */
  async process(frame: MonoFrame): Promise<ProcessResult> {
    const result: ProcessResult = { detections: [], scores: [] };
    if (this.nextIndex !== undefined && frame.index !== this.nextIndex) {
      // A gap (mic-off, source change): start afresh rather than stitch unrelated audio together.
      this.reset();
    }
    if (this.nextIndex === undefined) this.nextIndex = frame.index;
    const samples = frame.samples;
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(CHUNK_SAMPLES - this.filled, samples.length - offset);
      this.chunk.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === CHUNK_SAMPLES) {
        const chunkEnd = this.nextIndex + offset;
        await this.processChunk(chunkEnd, result);
        this.filled = 0;
      }
    }
    this.nextIndex += samples.length;
    return result;
  }

  private async processChunk(chunkEnd: number, result: ProcessResult): Promise<void> {
    this.guard?.apply(this.chunk);
    this.envelope.push(this.chunk, chunkEnd - CHUNK_SAMPLES);
    const raw = await this.scorer.score(this.chunk);
    const scores: Record<string, number> = {};
    for (const [k, state] of this.heads.entries()) {
      // The reference zeroes each head's first five predictions while its buffers fill.
      const score = state.predictions < 5 ? 0 : raw[k]!;
      state.predictions++;
      scores[state.head.keyword] = score;
      const fire = state.decision.update(score, chunkEnd);
      if (fire) {
        const { begin, end } = this.envelope.estimate(fire.runStartEndIndex, this.boundaryOptions);
        result.detections.push({ keyword: state.head.keyword, score: fire.score, beginIndex: begin, endIndex: end, detectedIndex: chunkEnd });
      }
    }
    result.scores.push({ endIndex: chunkEnd, scores });
  }

  reset(): void {
    this.scorer.reset();
    this.filled = 0;
    this.nextIndex = undefined;
    this.envelope.reset();
    for (const s of this.heads) {
      s.predictions = 0;
      s.decision.reset();
    }
  }

  async dispose(): Promise<void> {
    // The models are shared and owned by whoever loaded them; only this stream's state goes.
    this.scorer.close();
  }
}
