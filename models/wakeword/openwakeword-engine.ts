import type { MonoFrame } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../hal/mic/types.js';
import { ort, outputData, runSession } from '../onnx.js';
import { DigitalSilenceGuard } from './digital-silence.js';
import { KeywordDecision } from './decision.js';
import { FeatureStream } from './feature-stream.js';
import { CHUNK_SAMPLES, EMBEDDING_DIM, type KeywordHead, type OpenWakeWordModels } from './oww-models.js';
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
  readonly head: KeywordHead;
  readonly tensor: ort.Tensor;
  readonly decision: KeywordDecision;
  predictions: number;
}

/**
 * One stream's openWakeWord spotter, faithful to the reference streaming pipeline (DOMAIN.md §6):
 * one feature stream shared by every keyword head, the first five predictions of each head forced
 * to zero as the reference does while its buffers fill. Detections carry absolute sample indices.
 */
export class OpenWakeWordEngine implements WakeWordEngine {
  readonly name = 'openwakeword';
  private readonly features: FeatureStream;
  private readonly heads: HeadState[];
  private readonly chunk = new Int16Array(CHUNK_SAMPLES);
  private filled = 0;
  /** Absolute index of the next sample expected. */
  private nextIndex: number | undefined;
  private readonly guard: DigitalSilenceGuard | undefined;
  private readonly envelope = new EnergyEnvelope();
  private readonly boundaryOptions: BoundaryOptions;

  constructor(
    readonly models: OpenWakeWordModels,
    options: OpenWakeWordEngineOptions = {},
  ) {
    this.features = new FeatureStream(models);
    const refractorySamples = Math.round(((options.refractoryMs ?? 1000) / 1000) * SAMPLE_RATE);
    this.heads = models.heads.map((head) => {
      const threshold =
        typeof options.threshold === 'number' ? options.threshold : (options.threshold?.[head.keyword] ?? head.defaultThreshold);
      const view = this.features.features.subarray((models.featureWindow - head.window) * EMBEDDING_DIM);
      return {
        head,
        tensor: new ort.Tensor('float32', view, [1, head.window, EMBEDDING_DIM]),
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
    await this.features.push(this.chunk);
    const scores: Record<string, number> = {};
    for (const state of this.heads) {
      const out = outputData(
        await runSession(state.head.session, { [state.head.inputName]: state.tensor }, `${state.head.keyword} keyword`),
        state.head.outputName,
      );
      // The reference zeroes each head's first five predictions while its buffers fill.
      const score = state.predictions < 5 ? 0 : out[0]!;
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
    this.features.reset();
    this.filled = 0;
    this.nextIndex = undefined;
    this.envelope.reset();
    for (const s of this.heads) {
      s.predictions = 0;
      s.decision.reset();
    }
  }

  async dispose(): Promise<void> {
    // The models are shared and owned by whoever loaded them.
  }
}
