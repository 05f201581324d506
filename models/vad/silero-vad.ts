import { createSession, ort, outputData, runSession } from '../onnx.js';
import { loadManifest, readVerifiedModel, resolveModelDir, type ModelManifest } from '../manifest.js';
import type { VoiceActivityDetector } from './types.js';

/** Silero VAD v4 (the `silero_vad.onnx` shipped with openWakeWord): 512-sample windows at 16 kHz. */
export const VAD_WINDOW = 512;

/** The loaded model, shareable between streams. */
export class SileroVadModel {
  private constructor(readonly session: ort.InferenceSession) {}

  static async load(options: { modelDir?: string; manifest?: ModelManifest } = {}): Promise<SileroVadModel> {
    const manifest = options.manifest ?? loadManifest();
    const dir = resolveModelDir(manifest, options.modelDir);
    return new SileroVadModel(await createSession(await readVerifiedModel(dir, manifest.vad), 'silero VAD'));
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * One stream's VAD: keeps the LSTM state between windows and buffers samples into 512-sample windows.
 * `push` resolves to the speech probability of every window completed by the samples given.
 */
export class SileroVad implements VoiceActivityDetector {
  private readonly input = new Float32Array(VAD_WINDOW);
  private readonly inputTensor: ort.Tensor;
  private readonly sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  private h: ort.Tensor;
  private c: ort.Tensor;
  private filled = 0;

  constructor(private readonly model: SileroVadModel) {
    this.inputTensor = new ort.Tensor('float32', this.input, [1, VAD_WINDOW]);
    this.h = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    this.c = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
  }

  reset(): void {
    this.filled = 0;
    this.h = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
    this.c = new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]);
  }

  async push(samples: Int16Array): Promise<number[]> {
    const probs: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.input[this.filled++] = samples[i]! / 32768;
      if (this.filled === VAD_WINDOW) {
        this.filled = 0;
        const out = await runSession(this.model.session, { input: this.inputTensor, sr: this.sr, h: this.h, c: this.c }, 'silero VAD');
        const hn = out.hn;
        const cn = out.cn;
        if (hn && cn) {
          this.h = hn;
          this.c = cn;
        }
        probs.push(outputData(out, 'output')[0]!);
      }
    }
    return probs;
  }
}
