import { SAMPLE_RATE } from '../../core/audio-format.js';
import type { OpenWakeWordEngine } from '../../models/wakeword/openwakeword-engine.js';
import type { WakeWordDetection } from '../../models/wakeword/types.js';
import { ProgressBar } from '../progress.js';
import { median } from './stats.js';
import type { Corpus, Label } from './corpus.js';

/** The keys `echosim bench wakeword --json` prints (snake_case, as the issue specifies). */
export interface WakewordBenchResult {
  recall: number;
  positives: number;
  detected: number;
  false_accepts: number;
  neg_hours: number;
  fa_per_hour: number;
  rtf: number;
  latency_ms_median: number | null;
  rss_mb: number;
  /** Detections in positive files away from the labelled wake word (not in fa_per_hour). */
  pos_false_accepts: number;
  begin_error_ms_median: number | null;
  end_error_ms_median: number | null;
  audio_hours: number;
  files: FileOutcome[];
}

export interface FileOutcome {
  file: string;
  kind: 'pos' | 'neg';
  seconds: number;
  detections: Array<Pick<WakeWordDetection, 'keyword' | 'score' | 'beginIndex' | 'endIndex' | 'detectedIndex'>>;
  hit?: boolean;
}

/** A detection counts for the labelled wake word when it fires between its start and 2 s after its end. */
export const MATCH_WINDOW_AFTER_END_S = 2;

export type ReadMono = (file: string) => Promise<Int16Array>;

const FEED = 1280;

export async function runWakewordBench(
  corpus: Corpus,
  engine: OpenWakeWordEngine,
  readMono: ReadMono,
  showProgress = true,
): Promise<WakewordBenchResult> {
  const progress = new ProgressBar(corpus.positives.length + corpus.negatives.length, 'bench wakeword', process.stderr, showProgress);
  let computeMs = 0;
  let audioSamples = 0;
  let negSamples = 0;
  let detected = 0;
  let falseAccepts = 0;
  let posFalseAccepts = 0;
  const latencies: number[] = [];
  const beginErrors: number[] = [];
  const endErrors: number[] = [];
  const files: FileOutcome[] = [];

  const score = async (file: string): Promise<{ detections: WakeWordDetection[]; samples: number }> => {
    const mono = await readMono(file);
    engine.reset();
    const detections: WakeWordDetection[] = [];
    for (let at = 0; at < mono.length; at += FEED) {
      const t0 = performance.now();
      detections.push(...(await engine.feed({ index: at, samples: mono.subarray(at, Math.min(mono.length, at + FEED)) })));
      computeMs += performance.now() - t0;
    }
    audioSamples += mono.length;
    return { detections, samples: mono.length };
  };

  for (const file of corpus.positives) {
    const { detections, samples } = await score(file);
    const label = corpus.labels.get(file);
    const { hit, others } = matchLabel(detections, label);
    if (hit) {
      detected++;
      if (label) {
        latencies.push((hit.detectedIndex / SAMPLE_RATE - label.endS) * 1000);
        beginErrors.push(Math.abs(hit.beginIndex / SAMPLE_RATE - label.startS) * 1000);
        endErrors.push(Math.abs(hit.endIndex / SAMPLE_RATE - label.endS) * 1000);
      }
    }
    posFalseAccepts += others.length;
    files.push({ file, kind: 'pos', seconds: samples / SAMPLE_RATE, detections: detections.map(brief), hit: hit !== undefined });
    progress.tick();
  }
  for (const file of corpus.negatives) {
    const { detections, samples } = await score(file);
    negSamples += samples;
    falseAccepts += detections.length;
    files.push({ file, kind: 'neg', seconds: samples / SAMPLE_RATE, detections: detections.map(brief) });
    progress.tick();
  }

  const negHours = negSamples / SAMPLE_RATE / 3600;
  return {
    recall: corpus.positives.length ? detected / corpus.positives.length : 0,
    positives: corpus.positives.length,
    detected,
    false_accepts: falseAccepts,
    neg_hours: negHours,
    fa_per_hour: negHours > 0 ? falseAccepts / negHours : 0,
    rtf: audioSamples ? computeMs / 1000 / (audioSamples / SAMPLE_RATE) : 0,
    latency_ms_median: median(latencies),
    rss_mb: process.resourceUsage().maxRSS / 1024,
    pos_false_accepts: posFalseAccepts,
    begin_error_ms_median: median(beginErrors),
    end_error_ms_median: median(endErrors),
    audio_hours: audioSamples / SAMPLE_RATE / 3600,
    files,
  };
}

function matchLabel(detections: WakeWordDetection[], label: Label | undefined): { hit?: WakeWordDetection; others: WakeWordDetection[] } {
  if (!label) {
    const [hit, ...rest] = detections;
    // Unlabelled positives hold the wake word once; any further detection is not counted either way.
    void rest;
    return hit ? { hit, others: [] } : { others: [] };
  }
  const from = label.startS * SAMPLE_RATE;
  const to = (label.endS + MATCH_WINDOW_AFTER_END_S) * SAMPLE_RATE;
  const hit = detections.find((d) => d.detectedIndex >= from && d.detectedIndex <= to);
  return hit ? { hit, others: detections.filter((d) => d !== hit) } : { others: detections };
}

function brief(d: WakeWordDetection): FileOutcome['detections'][number] {
  return { keyword: d.keyword, score: d.score, beginIndex: d.beginIndex, endIndex: d.endIndex, detectedIndex: d.detectedIndex };
}
