/** How one sample is stored in a WAV data chunk (by container width; see wav-header.ts). */
export type SampleEncoding =
  | { readonly kind: 'uint8' }
  | { readonly kind: 'int'; readonly bytes: 2 | 3 | 4 }
  | { readonly kind: 'float'; readonly bytes: 4 | 8 };

export function bytesPerSample(e: SampleEncoding): number {
  return e.kind === 'uint8' ? 1 : e.bytes;
}

export function describeEncoding(e: SampleEncoding): string {
  if (e.kind === 'uint8') return '8-bit unsigned PCM';
  return e.kind === 'int' ? `${e.bytes * 8}-bit signed PCM` : `${e.bytes * 8}-bit float`;
}

/**
 * Turns WAV data bytes into interleaved float samples in [-1, 1) (ints divided by 2^(bits-1), floats
 * as stored). Chunks may split anywhere: the bytes of an incomplete sample frame wait for the next
 * chunk. The returned array is a view into a reused buffer, valid until the next call.
 */
export class PcmDecoder {
  private readonly width: number;
  private readonly frameBytes: number;
  private readonly carry: Buffer;
  private carried = 0;
  private out = new Float32Array(0);
  private joined = Buffer.alloc(0);

  constructor(
    readonly encoding: SampleEncoding,
    readonly channels: number,
    readonly bigEndian = false,
  ) {
    this.width = bytesPerSample(encoding);
    this.frameBytes = this.width * channels;
    this.carry = Buffer.alloc(this.frameBytes);
  }

  /** Bytes of an incomplete sample frame currently held back. */
  get pendingBytes(): number {
    return this.carried;
  }

  decode(chunk: Buffer): Float32Array {
    let data = chunk;
    if (this.carried > 0) {
      const total = this.carried + chunk.length;
      if (this.joined.length < total) this.joined = Buffer.alloc(Math.max(total, this.joined.length * 2));
      this.carry.copy(this.joined, 0, 0, this.carried);
      chunk.copy(this.joined, this.carried);
      data = this.joined.subarray(0, total);
    }
    const usable = data.length - (data.length % this.frameBytes);
    const rest = data.length - usable;
    const count = usable / this.width;
    if (this.out.length < count) this.out = new Float32Array(Math.max(count, this.out.length * 2));
    this.fill(data, count);
    // Copy the tail last: `data` may be `joined`, which `carry` never aliases.
    data.copy(this.carry, 0, usable, data.length);
    this.carried = rest;
    return this.out.subarray(0, count);
  }

  private fill(data: Buffer, count: number): void {
    const out = this.out;
    const e = this.encoding;
    const be = this.bigEndian;
    if (e.kind === 'uint8') {
      for (let i = 0; i < count; i++) out[i] = (data[i]! - 128) / 128;
    } else if (e.kind === 'int' && e.bytes === 2) {
      for (let i = 0; i < count; i++) out[i] = (be ? data.readInt16BE(i * 2) : data.readInt16LE(i * 2)) / 32768;
    } else if (e.kind === 'int' && e.bytes === 3) {
      for (let i = 0; i < count; i++) out[i] = (be ? data.readIntBE(i * 3, 3) : data.readIntLE(i * 3, 3)) / 8388608;
    } else if (e.kind === 'int') {
      for (let i = 0; i < count; i++) out[i] = (be ? data.readInt32BE(i * 4) : data.readInt32LE(i * 4)) / 2147483648;
    } else if (e.bytes === 4) {
      for (let i = 0; i < count; i++) out[i] = be ? data.readFloatBE(i * 4) : data.readFloatLE(i * 4);
    } else {
      for (let i = 0; i < count; i++) out[i] = be ? data.readDoubleBE(i * 8) : data.readDoubleLE(i * 8);
    }
  }
}

/** Float in [-1, 1] to int16: scaled by 32768, rounded, clamped; NaN becomes 0. */
export function floatToInt16(x: number): number {
  const v = Math.round(x * 32768);
  if (v > 32767) return 32767;
  if (v < -32768) return -32768;
  return v || 0;
}
