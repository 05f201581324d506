import { readVerifiedFile } from '../manifest.js';
import { createSession, type ort } from '../onnx.js';
import { batchedHead, rowwiseMelspectrogram } from './batched-graphs.js';
import type { HeadSpec } from './registry.js';

/**
 * The batch forms of the per-stream models (batched-graphs.ts), loaded on first use: only a
 * scorer that actually batches streams (a fleet's worker) holds them, a lone device never does.
 * Undefined when a model is not of a shape with a batch form; the scorer then runs it per stream.
 */
export class BatchForms {
  private melspec: Promise<ort.InferenceSession | undefined> | undefined;
  /** By head file and checksum. */
  private readonly heads = new Map<string, Promise<ort.InferenceSession | undefined>>();

  constructor(private readonly readMelspectrogram: () => Promise<Uint8Array>) {}

  /** The melspectrogram with a per-row floor, on [B, samples]. */
  melspectrogram(): Promise<ort.InferenceSession | undefined> {
    this.melspec ??= this.readMelspectrogram().then((bytes) => derive(rowwiseMelspectrogram(bytes), 'melspectrogram (rows)'));
    return this.melspec;
  }

  /** The head loaded from `spec`, on [B, window, 96]. */
  head(spec: HeadSpec): Promise<ort.InferenceSession | undefined> {
    const key = `${spec.file}\n${spec.sha256 ?? ''}`;
    let session = this.heads.get(key);
    if (!session) {
      session = readVerifiedFile(spec.file, spec.sha256).then((bytes) => derive(batchedHead(bytes), `${spec.keyword} keyword (batch)`));
      this.heads.set(key, session);
    }
    return session;
  }

  async dispose(): Promise<void> {
    const all = await Promise.all([this.melspec, ...this.heads.values()].map((p) => p?.catch(() => undefined)));
    await Promise.all(all.map((s) => s?.release()));
  }
}

function derive(bytes: Uint8Array | undefined, label: string): Promise<ort.InferenceSession | undefined> {
  return bytes ? createSession(bytes, label) : Promise.resolve(undefined);
}
