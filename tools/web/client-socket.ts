import type { WebSocket, RawData } from 'ws';
import type { z } from 'zod';
import { MAX_BUFFERED_BYTES, MAX_CLIENT_MESSAGES_PER_SECOND, MAX_COMMAND_BYTES } from './protocol/limits.js';
import type { ErrorCode } from '../../core/errors.js';

export interface ClientSocketHandlers<C> {
  command(command: C): void;
  /** A binary frame; without this handler binary frames are refused. */
  binary?(data: Buffer): void;
  close(): void;
}

/** WebSocket close codes used on refusal (RFC 6455 7.4.1). */
export const CLOSE_POLICY = 1008;

/**
 * One client of a page's socket: typed JSON out, commands in. Every frame is checked in this order
 * before anything else is done with it: the rate (a token bucket of MAX_CLIENT_MESSAGES_PER_SECOND,
 * closing the socket when exceeded), the size (MAX_COMMAND_BYTES for text, before JSON.parse; `ws`
 * already refused anything larger than the socket's maxPayload), JSON, then the command's zod schema.
 * A refused command gets an `error` message and changes nothing.
 */
export class ClientSocket<C> {
  private tokens = MAX_CLIENT_MESSAGES_PER_SECOND * 2;
  private refilledAt = performance.now();
  private closed = false;

  constructor(
    readonly ws: WebSocket,
    private readonly schema: z.ZodType<C>,
    private readonly handlers: ClientSocketHandlers<C>,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => ws.terminate());
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one message. `droppable` ones (LED frames, levels) are skipped while the client is slow to read. */
  send(message: object, droppable = false): void {
    if (!this.open) return;
    if (droppable && this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.ws.send(JSON.stringify(message));
  }

  sendText(text: string, droppable = false): void {
    if (!this.open) return;
    if (droppable && this.ws.bufferedAmount > MAX_BUFFERED_BYTES) return;
    this.ws.send(text);
  }

  error(code: ErrorCode, message: string): void {
    this.send({ type: 'error', code, message });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason.slice(0, 120));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (!this.take()) {
      this.error('WEB_RATE_LIMITED', `more than ${MAX_CLIENT_MESSAGES_PER_SECOND} messages a second`);
      this.close(CLOSE_POLICY, 'rate limit');
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      if (this.handlers.binary) this.handlers.binary(buf);
      else this.error('WEB_COMMAND_INVALID', 'this socket takes no binary frames');
      return;
    }
    if (buf.length > MAX_COMMAND_BYTES) return this.error('WEB_COMMAND_INVALID', `a command is at most ${MAX_COMMAND_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(buf.toString('utf8'));
    } catch {
      return this.error('WEB_COMMAND_INVALID', 'a command is one JSON object');
    }
    const parsed = this.schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.error('WEB_COMMAND_INVALID', `invalid command${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`);
    }
    this.handlers.command(parsed.data);
  }

  private take(): boolean {
    const now = performance.now();
    const cap = MAX_CLIENT_MESSAGES_PER_SECOND * 2;
    this.tokens = Math.min(cap, this.tokens + ((now - this.refilledAt) / 1000) * MAX_CLIENT_MESSAGES_PER_SECOND);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.close();
  }
}
