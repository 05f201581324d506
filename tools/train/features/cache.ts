import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Features on disk, one file per key (a content hash of what produced them), written atomically so
 * an interrupted run leaves no half file: a re-run finds what it already computed and recomputes
 * only what changed.
 */
export class FeatureCache {
  hits = 0;
  misses = 0;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private file(key: string, ext: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.${ext}`);
  }

  get(key: string): Float32Array | undefined {
    try {
      const bytes = readFileSync(this.file(key, 'f32'));
      this.hits++;
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    } catch {
      this.misses++;
      return undefined;
    }
  }

  put(key: string, data: Float32Array): void {
    this.write(this.file(key, 'f32'), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** A clip's audio (validation clips: what the cascade's later stages listen to). */
  getAudio(key: string): Int16Array | undefined {
    try {
      const bytes = readFileSync(this.file(key, 's16'));
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    } catch {
      return undefined;
    }
  }

  putAudio(key: string, audio: Int16Array): void {
    this.write(this.file(key, 's16'), new Uint8Array(audio.buffer, audio.byteOffset, audio.byteLength));
  }

  /** Other bytes (a trained head's ONNX file), under their own extension. */
  getBytes(key: string, ext: string): Uint8Array | undefined {
    try {
      return new Uint8Array(readFileSync(this.file(key, ext)));
    } catch {
      return undefined;
    }
  }

  putBytes(key: string, ext: string, bytes: Uint8Array): void {
    this.write(this.file(key, ext), bytes);
  }

  getJson<T>(key: string): T | undefined {
    try {
      return JSON.parse(readFileSync(this.file(key, 'json'), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  putJson(key: string, value: unknown): void {
    this.write(this.file(key, 'json'), Buffer.from(JSON.stringify(value)));
  }

  private write(file: string, bytes: Uint8Array): void {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  }
}
