import { Duplex } from 'node:stream';
import type { BrokerRole } from './acl.js';
import { packetLimitFor, type PacketLimits } from './packet-limits.js';

/**
 * A framing guard between a client's socket and the broker. It reads every MQTT fixed header as the
 * bytes arrive (packet type, then the 1-4 byte "remaining length") and passes the bytes on
 * untouched; a packet announcing more than the client's limit (packet-limits.ts) closes the
 * connection right after its header, so the broker never buffers its body. aedes itself would
 * collect a whole packet, up to MQTT's 256 MB, before looking at it.
 *
 * Until `setRole` is called the client is unauthenticated and gets the small pre-auth limit. The
 * first packet must fit it (it is the CONNECT). A later packet over it may be one the client sent
 * right behind its CONNECT, which MQTT allows: it is held, with the socket paused, until the CONNECT
 * is decided; then it is checked against the client's real limit.
 *
 * To the broker this is the connection: reads are the guarded bytes, writes go to the socket,
 * destroying it destroys the socket.
 */
export interface PacketViolation {
  /** Size of the refused packet as its header announced it, fixed header included. */
  packetBytes: number;
  limit: number;
  role: BrokerRole | undefined;
  /** MQTT packet type (1 CONNECT ... 14 DISCONNECT, 15 AUTH). */
  packetType: number;
  reason: string;
}

export interface PacketGuardOptions {
  limits: Readonly<PacketLimits>;
  onViolation: (violation: PacketViolation) => void;
}

/** A held packet: its announced size and the bytes after its fixed header, waiting for the role. */
interface Held {
  header: PacketHeader;
  rest: Buffer;
}

interface PacketHeader {
  /** MQTT packet type, the high nibble of the first byte. */
  type: number;
  /** Bytes after the fixed header. */
  remaining: number;
  /** The whole packet, fixed header included. */
  total: number;
}

const MAX_LENGTH_BYTES = 4;
const FAREWELL_WAIT_MS = 1000;

export class PacketGuard extends Duplex {
  private currentRole: BrokerRole | undefined;
  private authenticated = false;
  private packets = 0;
  /** Body bytes of the current packet still to pass on. */
  private bodyLeft = 0;
  /** The fixed header being read: type byte, then remaining-length bytes. */
  private header: number[] = [];
  private held: Held | undefined;
  private violated = false;

  constructor(
    private readonly socket: Duplex,
    private readonly options: PacketGuardOptions,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (chunk: Buffer) => this.scan(chunk));
    socket.once('end', () => this.push(null));
    socket.once('error', (err) => this.destroy(err));
    socket.once('close', () => this.destroy());
  }

  /** The CONNECT was accepted as `role`: its limit applies from now on, to a held packet too. */
  setRole(role: BrokerRole): void {
    this.currentRole = role;
    this.authenticated = true;
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    if (!this.accept(held.header)) return;
    this.socket.resume();
    this.scan(held.rest);
  }

  /** What the client logged in as (undefined until its CONNECT is accepted). */
  get role(): BrokerRole | undefined {
    return this.currentRole;
  }

  /** The largest packet the client may send now. */
  get limit(): number {
    return packetLimitFor(this.options.limits, this.currentRole);
  }

  /**
   * Bytes to send the client before its connection is closed for a packet over the limit: an MQTT 5
   * client is told DISCONNECT 0x95 "packet too large" (mqtt5-adapter.ts); 3.1.1 has no such word.
   */
  farewell: Buffer | undefined;

  /** Bytes the client sent but the guard has not passed on yet (at most one chunk while held). */
  get heldBytes(): number {
    return this.held?.rest.length ?? 0;
  }

  override _read(): void {
    if (!this.held && !this.violated) this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) return callback(new Error('connection closed'));
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  /**
   * aedes writes each packet in several pieces between cork() and uncork() (mqtt-packet's
   * writeToStream): they arrive here together and go to the socket as one corked batch, as they would
   * without the guard. Written one by one they cost about a third of the broker's throughput.
   */
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) return callback(new Error('connection closed'));
    this.socket.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = this.socket.write(chunk);
    this.socket.uncork();
    if (ok) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }

  /** Walks the chunk's fixed headers; passes on what is allowed, holds or refuses the rest. */
  private scan(chunk: Buffer): void {
    if (this.violated || this.destroyed) return;
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        continue;
      }
      const byte = chunk[i] as number;
      i++;
      this.header.push(byte);
      if (this.header.length === 1) continue;
      if (byte & 0x80) {
        if (this.header.length > MAX_LENGTH_BYTES) return this.refuse({ type: (this.header[0] as number) >> 4, remaining: 0, total: 0 }, 'malformed remaining length');
        continue;
      }
      const header = this.decodeHeader();
      this.header = [];
      this.packets++;
      if (header.total > packetLimitFor(this.options.limits, this.currentRole) && !this.authenticated && this.packets > 1) {
        // Right behind the CONNECT, before it is decided: wait for the client's real limit.
        this.forward(chunk.subarray(0, i));
        this.held = { header, rest: chunk.subarray(i) };
        this.socket.pause();
        return;
      }
      if (!this.accept(header)) return;
    }
    this.forward(chunk);
  }

  /** Starts passing a packet's body, or refuses it: false when the connection was closed. */
  private accept(header: PacketHeader): boolean {
    const limit = packetLimitFor(this.options.limits, this.currentRole);
    if (header.total > limit) {
      this.refuse(header, `packet of ${header.total} bytes over the ${limit}-byte limit for ${this.currentRole ?? 'an unauthenticated client'}`);
      return false;
    }
    this.bodyLeft = header.remaining;
    return true;
  }

  private decodeHeader(): PacketHeader {
    let remaining = 0;
    for (let k = this.header.length - 1; k >= 1; k--) remaining = remaining * 128 + ((this.header[k] as number) & 0x7f);
    return { type: (this.header[0] as number) >> 4, remaining, total: this.header.length + remaining };
  }

  private forward(bytes: Buffer): void {
    if (bytes.length > 0 && !this.push(bytes)) this.socket.pause();
  }

  private refuse(header: PacketHeader, reason: string): void {
    this.violated = true;
    this.options.onViolation({ packetBytes: header.total, limit: packetLimitFor(this.options.limits, this.currentRole), role: this.currentRole, packetType: header.type, reason });
    const farewell = this.farewell;
    if (farewell && !this.socket.destroyed) {
      // The client may still be sending the body: do not wait long for it to take the goodbye.
      this.socket.write(farewell, () => this.destroy());
      setTimeout(() => this.destroy(), FAREWELL_WAIT_MS).unref();
    } else {
      this.destroy();
    }
  }
}
