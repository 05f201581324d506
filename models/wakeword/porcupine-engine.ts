import type { MonoFrame } from '../../hal/mic/types.js';
import { EchosimError } from '../../core/errors.js';
import type { WakeWordDetection, WakeWordEngine } from './types.js';
import { EnergyEnvelope } from './word-boundaries.js';

/**
 * Picovoice Porcupine as an opt-in engine. It needs an AccessKey that Picovoice validates online, so
 * it is never the default: without a key it refuses with a clear error, and openWakeWord (which needs
 * none) remains the engine echosim uses.
 */
export interface PorcupineEngineOptions {
  /** Defaults to the PICOVOICE_ACCESS_KEY environment variable. */
  accessKey?: string;
  /** Built-in keywords, e.g. ['alexa', 'computer']. */
  keywords?: string[];
  /** 0..1, higher detects more and false-accepts more (default 0.5). */
  sensitivity?: number;
}

interface PorcupineModule {
  Porcupine: new (accessKey: string, keywordPaths: string[], sensitivities: number[]) => {
    readonly frameLength: number;
    process(frame: Int16Array): number;
    release(): void;
  };
  BuiltinKeyword: Record<string, string>;
  getBuiltinKeywordPath(keyword: string): string;
}

export const PORCUPINE_KEY_HINT =
  'Get a free AccessKey at https://console.picovoice.ai/ and set PICOVOICE_ACCESS_KEY (or pass --access-key). ' +
  'The default engine, openWakeWord, needs no key: leave out --engine porcupine.';

export class PorcupineEngine implements WakeWordEngine {
  readonly name = 'porcupine';
  private readonly buffer: Int16Array;
  private filled = 0;
  private nextIndex: number | undefined;
  private readonly envelope = new EnergyEnvelope();

  private constructor(
    private readonly handle: InstanceType<PorcupineModule['Porcupine']>,
    readonly keywords: string[],
  ) {
    this.buffer = new Int16Array(handle.frameLength);
  }

  static async create(options: PorcupineEngineOptions = {}): Promise<PorcupineEngine> {
    const accessKey = options.accessKey ?? process.env.PICOVOICE_ACCESS_KEY;
    if (!accessKey) {
      throw new EchosimError('PORCUPINE_ACCESS_KEY_MISSING', 'the Porcupine engine needs a Picovoice AccessKey', { hint: PORCUPINE_KEY_HINT });
    }
    let mod: PorcupineModule;
    try {
      mod = (await import('@picovoice/porcupine-node')) as unknown as PorcupineModule;
    } catch (cause) {
      throw new EchosimError('PORCUPINE_UNAVAILABLE', 'the optional package @picovoice/porcupine-node is not installed', {
        cause,
        hint: 'Run "npm install @picovoice/porcupine-node", or use the default openWakeWord engine.',
      });
    }
    const keywords = options.keywords ?? ['alexa'];
    const paths = keywords.map((k) => {
      const builtin = mod.BuiltinKeyword[k.toUpperCase().replace(/\s+/g, '_')];
      if (!builtin) {
        throw new EchosimError('MODEL_UNKNOWN', `Porcupine has no built-in keyword "${k}"`, {
          hint: `Built-in keywords: ${Object.values(mod.BuiltinKeyword).join(', ')}.`,
        });
      }
      return mod.getBuiltinKeywordPath(builtin);
    });
    try {
      const handle = new mod.Porcupine(accessKey, paths, keywords.map(() => options.sensitivity ?? 0.5));
      return new PorcupineEngine(handle, keywords);
    } catch (cause) {
      throw new EchosimError('PORCUPINE_UNAVAILABLE', `Porcupine refused to start: ${(cause as Error).message}`, {
        cause,
        hint: `Check the AccessKey and the network (Picovoice validates keys online). ${PORCUPINE_KEY_HINT}`,
      });
    }
  }

  async feed(frame: MonoFrame): Promise<WakeWordDetection[]> {
    if (this.nextIndex !== undefined && frame.index !== this.nextIndex) this.reset();
    this.nextIndex ??= frame.index;
    const out: WakeWordDetection[] = [];
    const samples = frame.samples;
    this.envelope.push(samples, frame.index);
    for (let i = 0; i < samples.length; ) {
      const take = Math.min(this.buffer.length - this.filled, samples.length - i);
      this.buffer.set(samples.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === this.buffer.length) {
        this.filled = 0;
        const k = this.handle.process(this.buffer);
        if (k >= 0) {
          const at = frame.index + i;
          // Porcupine reports no alignment; it fires close to the end of the word.
          const { begin, end } = this.envelope.estimate(at, { endLagSamples: 0, minWordSamples: 4800, maxWordSamples: 19200, minGapSamples: 1920 });
          out.push({ keyword: this.keywords[k] ?? String(k), score: 1, beginIndex: begin, endIndex: end, detectedIndex: at });
        }
      }
    }
    this.nextIndex += samples.length;
    return out;
  }

  reset(): void {
    this.filled = 0;
    this.nextIndex = undefined;
    this.envelope.reset();
  }

  async dispose(): Promise<void> {
    this.handle.release();
  }
}
