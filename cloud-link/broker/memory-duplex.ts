import { Duplex } from 'node:stream';

/**
 * Two connected in-memory streams: what is written to one is read from the other, with
 * backpressure (a write waits until the reader has taken what came before). Ending one ends the
 * other's reading. Destroying one ends the other's reading too, after what was already written to it
 * (as a socket's peer still reads what came before the close: a CONNACK refusal before aedes drops
 * the connection), and fails the other's writes from then on, which destroys it. (Node 22 has
 * stream.duplexPair; echosim runs on 20.)
 */
class MemorySide extends Duplex {
  peer: MemorySide | undefined;
  /** The peer's write waiting for this side's reader to take its data. */
  private blockedWrite: ((error?: Error) => void) | undefined;

  override _read(): void {
    const write = this.blockedWrite;
    this.blockedWrite = undefined;
    write?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) return callback(closedError());
    if (peer.push(chunk)) callback();
    else peer.blockedWrite = callback;
  }

  /** aedes writes a packet in corked pieces: they reach the reader as one chunk. */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this._write(Buffer.concat(chunks.map((c) => c.chunk)), 'binary', callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    const blocked = this.blockedWrite;
    this.blockedWrite = undefined;
    blocked?.(closedError());
    if (peer && !peer.destroyed && !peer.readableEnded) peer.push(null);
    callback(err);
  }
}

function closedError(): Error {
  return new Error('the other side is closed');
}

export function memoryDuplexPair(): [Duplex, Duplex] {
  const a = new MemorySide({ allowHalfOpen: false });
  const b = new MemorySide({ allowHalfOpen: false });
  a.peer = b;
  b.peer = a;
  return [a, b];
}
