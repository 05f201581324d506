import { DEFAULT_ENDPOINTER_OPTIONS, Endpointer, type EndpointDecision } from '../../models/vad/endpointer.js';
import { QuietGate } from '../../models/vad/quiet-gate.js';
import { SileroVad, VAD_WINDOW, type SileroVadModel } from '../../models/vad/silero-vad.js';
import type { VoiceActivityDetector } from '../../models/vad/types.js';
import { SAMPLE_RATE } from '../../core/audio-format.js';
import { ProgressBar } from '../progress.js';

/** One file end-pointed with and without the quiet gate. */
export interface GateFileResult {
  file: string;
  windows: number;
  gated: number;
  /** Gated windows the model scores as speech (at or above the speech threshold) when it does see them. */
  gatedSpeech: number;
  /** Windows whose speech/silence class (the endpointer's hysteresis inputs) differs with the gate. */
  changed: number;
  /** Where the endpointer ended the stream, ms from the file start (null: it did not). */
  endMs: { model: number | null; gated: number | null };
}

export interface GateBenchResult {
  floor_dbfs: number;
  files: number;
  windows: number;
  gated_percent: number;
  /** Gated windows the model alone calls speech. */
  gated_speech_windows: number;
  changed_windows: number;
  /** Files whose end decision (reason and window) is the same with the gate. */
  same_end: number;
  /** Largest difference of the end point, ms. */
  max_end_shift_ms: number;
  per_file: GateFileResult[];
}

type Klass = 'speech' | 'silence' | 'between';

function klass(p: number): Klass {
  return p >= DEFAULT_ENDPOINTER_OPTIONS.speechThreshold ? 'speech' : p < DEFAULT_ENDPOINTER_OPTIONS.silenceThreshold ? 'silence' : 'between';
}

async function probabilities(vad: VoiceActivityDetector, samples: Int16Array): Promise<number[]> {
  vad.reset();
  const out: number[] = [];
  // 80 ms pushes, as the device's capture stream makes them.
  for (let i = 0; i < samples.length; i += 1280) out.push(...(await vad.push(samples.subarray(i, i + 1280))));
  return out;
}

function endMs(probs: readonly number[]): number | null {
  const e = new Endpointer(DEFAULT_ENDPOINTER_OPTIONS);
  for (const p of probs) {
    const d: EndpointDecision = e.update(p);
    if (d.ended) return Math.round((d.windowsSeen * VAD_WINDOW * 1000) / SAMPLE_RATE);
  }
  return null;
}

/**
 * `bench quiet-gate`: end-points every file from its start with Silero alone and behind the quiet
 * gate at `floorDbfs`, and reports how many windows the gate decided, whether any of them the model
 * would have called speech, and how far the end points moved.
 */
export async function runQuietGateBench(
  files: readonly string[],
  read: (file: string) => Promise<Int16Array>,
  model: SileroVadModel,
  floorDbfs: number,
  showProgress: boolean,
): Promise<GateBenchResult> {
  const progress = new ProgressBar(files.length, 'bench quiet-gate', process.stderr, showProgress);
  const perFile: GateFileResult[] = [];
  for (const file of files) {
    const samples = await read(file);
    const plain = await probabilities(new SileroVad(model), samples);
    const gate = new QuietGate(new SileroVad(model), floorDbfs);
    const gatedProbs = await probabilities(gate, samples);
    let gatedSpeech = 0;
    let changed = 0;
    // A gated window reads exactly 0; the model never returns exactly 0 for a window it saw.
    plain.forEach((p, i) => {
      const g = gatedProbs[i] ?? 0;
      if (g === 0 && p >= DEFAULT_ENDPOINTER_OPTIONS.speechThreshold) gatedSpeech++;
      if (klass(p) !== klass(g)) changed++;
    });
    perFile.push({ file, windows: plain.length, gated: gate.gated, gatedSpeech, changed, endMs: { model: endMs(plain), gated: endMs(gatedProbs) } });
    progress.tick();
  }
  const sum = (f: (r: GateFileResult) => number): number => perFile.reduce((a, r) => a + f(r), 0);
  const windows = sum((r) => r.windows);
  return {
    floor_dbfs: floorDbfs,
    files: perFile.length,
    windows,
    gated_percent: Math.round((1000 * sum((r) => r.gated)) / Math.max(1, windows)) / 10,
    gated_speech_windows: sum((r) => r.gatedSpeech),
    changed_windows: sum((r) => r.changed),
    same_end: perFile.filter((r) => r.endMs.model === r.endMs.gated).length,
    max_end_shift_ms: Math.max(0, ...perFile.map((r) => (r.endMs.model === null || r.endMs.gated === null ? (r.endMs.model === r.endMs.gated ? 0 : Infinity) : Math.abs(r.endMs.model - r.endMs.gated)))),
    per_file: perFile,
  };
}
