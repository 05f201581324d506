import type { MonoFrame } from '../../hal/mic/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { inProcessScorer } from './batch-scorer.js';
import { DigitalSilenceGuard } from './digital-silence.js';
import { KeywordDecision } from './decision.js';
import { CHUNK_SAMPLES, OpenWakeWordModels } from './oww-models.js';
import { EchosimError } from '../../core/errors.js';
import type { HeadSpec } from './registry.js';
import type { ChunkScorer, HeadInfo, ScorerSource } from './scorer.js';
import type { KeywordSwitching, ScoreFrame, WakeWordDetection, WakeWordEngine } from './types.js';
import { DEFAULT_BOUNDARY_OPTIONS, EnergyEnvelope, type BoundaryOptions } from './word-boundaries.js';

export interface OpenWakeWordEngineOptions {
  /** The loaded heads to run, by keyword (default the heads the models were loaded with). */
  keywords?: readonly string[];
  /** Threshold of the heads it starts with (one for all, or per keyword); default each head's own. */
  threshold?: number | Readonly<Record<string, number>>;
  /** Consecutive 80 ms chunks at or above the threshold before a detection (default the head's own, else 1). */
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
export class OpenWakeWordEngine implements WakeWordEngine, KeywordSwitching {
  readonly name = 'openwakeword';
  private readonly scorer: ChunkScorer;
  private heads: HeadState[];
  private headNames: readonly string[];
  /** Heads to switch to, taken at the next chunk boundary. */
  private pending: HeadState[] | undefined;
  private readonly chunk = new Int16Array(CHUNK_SAMPLES);
  private filled = 0;
  /** Chunks scored since the last reset (the reference zeroes a head's first five predictions). */
  private chunks = 0;
  /** Absolute index of the next sample expected. */
  private nextIndex: number | undefined;
  private readonly guard: DigitalSilenceGuard | undefined;
  private readonly envelope = new EnergyEnvelope();
  private readonly boundaryOptions: BoundaryOptions;
  private readonly refractorySamples: number;

  constructor(
    readonly models: OpenWakeWordModels | ScorerSource,
    private readonly options: OpenWakeWordEngineOptions = {},
  ) {
    this.scorer = models instanceof OpenWakeWordModels ? inProcessScorer(models) : models.openScorer();
    this.refractorySamples = Math.round(((options.refractoryMs ?? 1000) / 1000) * SAMPLE_RATE);
    const start = (options.keywords ?? models.defaultKeywords).map((k) => this.loadedHead(k));
    this.heads = start.map((head) => this.headState(head, options.threshold));
    this.headNames = this.heads.map((h) => h.head.keyword);
    this.guard = options.guardDigitalSilence === false ? undefined : new DigitalSilenceGuard();
    this.boundaryOptions = { ...DEFAULT_BOUNDARY_OPTIONS, ...options.boundaries };
  }

  /**
   * Loads heads into the models this engine runs on (shared with other streams; a SpotterPool loads
   * them on every worker), without switching to them: the step of a switch that can fail.
   */
  async loadKeywords(heads: readonly HeadSpec[]): Promise<void> {
    const source = this.models;
    await (source instanceof OpenWakeWordModels ? source.ensureHeads(heads) : source.ensureHeads(heads));
  }

  /**
   * Switches to these (loaded) heads from the next 80 ms chunk on, each at its own threshold and
   * patience. The stream's feature history stays: the features do not depend on the word, so the new
   * heads score at once on the last 16 embeddings (no warm-up, no prediction zeroed after the
   * stream's first five chunks). Throws MODEL_UNKNOWN for a head not loaded (loadKeywords first).
   */
  useKeywords(heads: readonly HeadSpec[]): void {
    const states = heads.map((spec) => this.headState(this.loadedHead(spec.keyword), { [spec.keyword]: spec.threshold }, spec.patience));
    this.pending = states;
  }

  private loadedHead(keyword: string): HeadInfo {
    const head = this.models.heads.find((h) => h.keyword === keyword);
    if (!head) {
      throw new EchosimError('MODEL_UNKNOWN', `the ${keyword} head is not loaded`, {
        hint: `Loaded: ${this.models.keywords.join(', ') || 'none'}; load it first (loadKeywords).`,
      });
    }
    return head;
  }

  private headState(head: HeadInfo, thresholds: OpenWakeWordEngineOptions['threshold'], patience?: number): HeadState {
    const threshold = typeof thresholds === 'number' ? thresholds : (thresholds?.[head.keyword] ?? head.defaultThreshold);
    const decision = new KeywordDecision({
      threshold,
      patience: patience ?? this.options.patience ?? head.defaultPatience ?? 1,
      refractorySamples: this.refractorySamples,
    });
    // A head switched in mid-stream sees a full feature history: nothing to zero.
    return { head, decision, predictions: this.chunks };
  }

  /** The keywords it spots now (a switch staged by useKeywords shows once it is taken, at the next chunk). */
  get keywords(): string[] {
    return [...this.headNames];
  }

  /** The keywords it spots from the next chunk on. */
  get nextKeywords(): string[] {
    return (this.pending ?? this.heads).map((h) => h.head.keyword);
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
    if (this.pending) {
      this.heads = this.pending;
      this.headNames = this.heads.map((h) => h.head.keyword);
      this.pending = undefined;
    }
    this.guard?.apply(this.chunk);
    this.envelope.push(this.chunk, chunkEnd - CHUNK_SAMPLES);
    const raw = await this.scorer.score(this.chunk, this.headNames);
    this.chunks++;
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
    this.chunks = 0;
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
