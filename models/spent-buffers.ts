import { MessageChannel } from 'node:worker_threads';

/**
 * ArrayBuffers a batch is done with, freed together at its end instead of whenever the garbage
 * collector finds them. Every onnxruntime-node run returns new output arrays (a fleet worker's
 * embedding step returns about 37 KB of cached activations per stream, tens of MB a second), and V8
 * counts their bytes as external memory until a collection frees them. A worker's own heap is small
 * (about 10 MB), so that count alone kept starting mark-compacts back to back, about four a second
 * per worker, whose concurrent marking on V8's helper threads cost a fifth of a listening fleet's
 * CPU (BENCHMARKS.md, section 6). Transferring a buffer detaches it: V8 takes its bytes off the count
 * at once, and the memory goes with the message, dropped unread as both ports close. (Node 20 has no
 * `ArrayBuffer.prototype.transfer`.)
 *
 * After `release`, every array over a released buffer is empty (length 0): release only what nothing
 * reads any more. Only buffers this thread owns outright belong here (onnxruntime's outputs, arrays it
 * made itself or received transferred), never a Node Buffer from the shared pool.
 */
export class SpentBuffers {
  private readonly buffers = new Set<ArrayBuffer>();

  /** Buffers waiting for `release`. */
  get size(): number {
    return this.buffers.size;
  }

  /** Marks each array's whole buffer to be freed at the next `release` (a buffer given twice is freed once). */
  add(...arrays: readonly ArrayBufferView[]): void {
    for (const a of arrays) {
      if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) this.buffers.add(a.buffer);
    }
  }

  /** Frees every buffer added since the last release. */
  release(): void {
    if (this.buffers.size === 0) return;
    const transfer = [...this.buffers];
    this.buffers.clear();
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(null, transfer);
    port1.close();
    port2.close();
  }
}
