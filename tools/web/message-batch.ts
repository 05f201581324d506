/** One message waiting for the next batch, numbered so a client that joined later skips what its snapshot already holds. */
export interface Pending<M> {
  readonly seq: number;
  /** May be left out for a client slow to read (LED frames, levels); events and status never are. */
  readonly droppable: boolean;
  readonly message: M;
}

/**
 * Messages gathered between two sends. Each socket write costs its sender a system call and the
 * loopback's work, so a page gets a few writes a second whatever the ring's frame rate
 * (`bench web-device` measures what a page costs its device).
 */
export class MessageBatch<M> {
  private pending: Array<Pending<M>> = [];
  private seq = 0;

  /** The number the next message will get: a client joining now takes messages from this one on. */
  get next(): number {
    return this.seq;
  }

  push(message: M, droppable: boolean): void {
    this.pending.push({ seq: this.seq++, droppable, message });
  }

  /** Whether a waiting message is one `test` accepts. */
  some(test: (message: M) => boolean): boolean {
    return this.pending.some((p) => test(p.message));
  }

  take(): Array<Pending<M>> {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  clear(): void {
    this.pending = [];
  }
}
