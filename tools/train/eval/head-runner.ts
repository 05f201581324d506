import { createSession, ort, outputData, runSession } from '../../../models/onnx.js';
import { EMBEDDING_DIM } from '../../../models/wakeword/oww-models.js';
import { chunkCount, HEAD_WINDOW, SKIPPED_CHUNKS, WINDOW_VALUES, writeWindow } from '../features/windows.js';

/** Windows per onnxruntime call when scoring a whole sequence. */
const BATCH = 2048;

/**
 * A trained head as the engine runs it (its ONNX file in onnxruntime-node, one thread), scoring
 * every chunk of an embedding sequence at once: the same windows the engine would feed it one chunk
 * at a time, batched.
 */
export class HeadRunner {
  private readonly batch: number;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
  ) {
    // The bundled heads take exactly one window per run; the trained ones any batch.
    const meta = session.inputMetadata.find((m) => m.name === session.inputNames[0]);
    this.batch = meta && meta.isTensor && meta.shape[0] === 1 ? 1 : BATCH;
  }

  static async load(bytes: Uint8Array, label: string): Promise<HeadRunner> {
    return new HeadRunner(await createSession(bytes, label), label);
  }

  /**
   * The score after every chunk of a stream that started with the sequence's first chunk; the first
   * five are 0, as the engine forces them while its buffers fill.
   */
  async scoreSequence(seedFeatures: Float32Array, embeddings: Float32Array): Promise<Float32Array> {
    const n = chunkCount(embeddings);
    const out = new Float32Array(n);
    for (let at = SKIPPED_CHUNKS; at < n; at += this.batch) {
      const m = Math.min(this.batch, n - at);
      const x = new Float32Array(m * WINDOW_VALUES);
      for (let k = 0; k < m; k++) writeWindow(seedFeatures, embeddings, at + k, x, k * WINDOW_VALUES);
      const input = this.session.inputNames[0] ?? 'x';
      const scores = outputData(await runSession(this.session, { [input]: new ort.Tensor('float32', x, [m, HEAD_WINDOW, EMBEDDING_DIM]) }, this.label), this.session.outputNames[0] ?? 'score');
      out.set(scores.subarray(0, m), at);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
