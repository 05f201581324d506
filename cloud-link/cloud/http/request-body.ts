import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../../core/clock.js';
import { ApiProtocolError } from './aws-json.js';

/** How a request body is bounded, and how a refused one is wound down. */
export interface BodyLimits {
  /** Largest accepted body; a larger one is answered 413 as soon as that is known. */
  maxBytes: number;
  /** After a 413, at most this much more of the body is read (and discarded) before the connection is cut. */
  drainBytes: number;
  /** ...and for at most this long. */
  lingerMs: number;
  clock: Clock;
}

/**
 * Reads the whole request body, refusing more than `maxBytes`: at once from a Content-Length over
 * the limit, or when a chunked body passes it. The refusal (413 RequestEntityTooLargeException) is
 * answered while the client may still be uploading, with `Connection: close`, and the connection is
 * then closed gracefully (see lingerAfterAnswer), so the client reads the 413 instead of failing
 * its upload with EPIPE or a reset.
 */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const tooLarge = (): ApiProtocolError =>
    new ApiProtocolError('RequestEntityTooLargeException', 413, `Request body exceeds the ${limits.maxBytes}-byte limit`, { closeConnection: true });
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && Number.isFinite(declared) && declared > limits.maxBytes) {
    lingerAfterAnswer(req, limits);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (err: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total <= limits.maxBytes) return void chunks.push(chunk);
      finish(tooLarge());
      lingerAfterAnswer(req, limits);
    };
    const onEnd = (): void => finish(undefined, Buffer.concat(chunks, total));
    // The client went away mid-body: nobody will read the answer, but the request must still settle.
    const onError = (): void => finish(new ApiProtocolError('IncompleteRequestException', 400, 'The request body was not received completely', { closeConnection: true }));
    const onClose = (): void => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Node answers a `Connection: close` response by ending the socket and destroying it as soon as the
 * answer is written (socket.destroySoon). With the client's upload still arriving, that destroy
 * resets the connection, and the client typically fails with EPIPE before it has read the answer.
 * So for a refused body the socket closes the way HTTP servers' "lingering close" does: the answer,
 * then FIN, while the rest of the body is read and discarded; the socket is closed once the body is
 * in, or after `drainBytes` / `lingerMs`, whichever comes first.
 */
function lingerAfterAnswer(req: IncomingMessage, limits: BodyLimits): void {
  const socket: Socket = req.socket;
  let drained = 0;
  let timer: TimerHandle | undefined;
  const close = (): void => {
    if (timer) limits.clock.clearTimeout(timer);
    timer = undefined;
    req.off('data', onData);
    // never before the answer is flushed
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  };
  const onData = (chunk: Buffer): void => {
    drained += chunk.length;
    if (drained > limits.drainBytes) close();
  };
  req.on('data', onData);
  req.resume();
  socket.destroySoon = (): void => {
    socket.end();
    if (req.complete) return close();
    req.once('end', close);
    timer = limits.clock.setTimeout(close, limits.lingerMs);
  };
  socket.once('close', () => {
    if (timer) limits.clock.clearTimeout(timer);
  });
}
