/**
 * The management API over HTTP, mirroring Alexa for Business (docs/alexa-for-business.md#wire-protocol) on the AWS JSON 1.1
 * protocol, so AWS-style tooling and the `echosim a4b` CLI talk to it the same way.
 *
 *   POST /        X-Amz-Target: AlexaForBusiness.<Operation>, Authorization: Bearer <admin token>
 *   GET  /health  no auth; for load balancers and the test harness
 *
 * Security notes: request bodies can carry Wi-Fi passwords (CreateNetworkProfile, FlashDevice), so
 * nothing here ever logs a body or echoes parts of it into an error message; logs carry the operation,
 * status, error type, duration and a request id. The admin token is compared by the backend in constant
 * time, behind a back-off for wrong tokens (api-auth.ts: 429 ThrottlingException). The default bind
 * address is loopback: exposing the admin API is a deliberate choice.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SystemClock, type Clock, type TimerHandle } from '../../../core/clock.js';
import { rootLogger, type Logger } from '../../../core/log.js';
import { isA4bError } from '../a4b/errors.js';
import {
  ApiProtocolError,
  decodeUtf8,
  isAcceptedContentType,
  operationFromTarget,
  sendError,
  sendJson,
  AMZ_JSON_CONTENT_TYPE,
} from './aws-json.js';
import { AuthThrottle } from '../auth/auth-throttle.js';
import { authorizeAdmin } from './api-auth.js';
import type { ListenerTls } from '../../tls/listener-tls.js';
import { createApiListener, updateApiListenerTls } from './api-listener.js';
import type { A4bBackend } from './backend.js';
import { readRequestBody } from './request-body.js';
import { describeJsonError, parseJsonText } from './json-text.js';
import { A4B_OPERATIONS, A4B_TARGET_PREFIX } from './operations.js';

export const DEFAULT_API_PORT = 8700;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
/** After a 413, how much more of a body is read and discarded, and for how long, so the client reads the answer. */
const DRAIN_BYTES = 128 * 1024 * 1024;
const LINGER_MS = 10_000;

export interface ApiServerOptions {
  backend: A4bBackend;
  /** Interface to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** TCP port; 0 picks a free one (tests). Default 8700. */
  port?: number;
  /** Serve HTTPS with this certificate (cloud-link/cloud/server-tls.ts) instead of plain HTTP. */
  tls?: ListenerTls;
  /** Largest accepted request body; larger ones get 413. Default 256 KiB. */
  maxBodyBytes?: number;
  /** Operations routed to the backend; anything else is UnknownOperationException. Default: A4B_OPERATIONS. */
  operations?: Iterable<string>;
  /** Back-off for wrong admin tokens, shared with the broker's logins; default: one of its own. */
  throttle?: AuthThrottle;
  /** How long close() lets in-flight requests finish before cutting their sockets. Default 5 s. */
  closeGraceMs?: number;
  log?: Logger;
  clock?: Clock;
}

export class ApiServer {
  private readonly server: Server;
  private readonly backend: A4bBackend;
  private readonly operations: ReadonlySet<string>;
  private readonly maxBodyBytes: number;
  private readonly closeGraceMs: number;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly tls: boolean;
  private readonly throttle: AuthThrottle;
  private inFlight = 0;
  private closing: Promise<void> | undefined;
  private address!: AddressInfo;

  private constructor(options: ApiServerOptions) {
    this.backend = options.backend;
    this.operations = new Set(options.operations ?? A4B_OPERATIONS);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.closeGraceMs = options.closeGraceMs ?? 5000;
    this.log = options.log ?? rootLogger().child({ component: 'api' });
    this.clock = options.clock ?? new SystemClock();
    this.throttle = options.throttle ?? new AuthThrottle({ clock: this.clock });
    this.tls = options.tls !== undefined;
    this.server = createApiListener(options.tls, (req, res) => void this.handle(req, res));
  }

  /** Starts listening; resolves once the port is bound (see `url`). */
  static async start(options: ApiServerOptions): Promise<ApiServer> {
    const api = new ApiServer(options);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(options.port ?? DEFAULT_API_PORT, host, () => {
        api.server.off('error', reject);
        api.address = api.server.address() as AddressInfo;
        resolve();
      });
    });
    api.log.info({ url: api.url }, 'API listening');
    return api;
  }

  /** The bound port (known after start(), kept after close() for messages). */
  get port(): number {
    return this.address.port;
  }

  /** Base URL clients use, e.g. `http://127.0.0.1:8700` (`https://` with TLS). */
  get url(): string {
    const { address, family, port } = this.address;
    return `${this.tls ? 'https' : 'http'}://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
  }

  /** Serves a renewed certificate from the next handshake on (HTTPS only). */
  updateTls(tls: ListenerTls): void {
    if (this.tls) updateApiListenerTls(this.server, tls);
  }

  /**
   * Stops accepting connections, closes idle keep-alive sockets at once, lets in-flight requests finish
   * (their sockets close after the answer) for up to `closeGraceMs`, then cuts what is left.
   */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      let grace: TimerHandle | undefined;
      this.server.close(() => {
        if (grace) this.clock.clearTimeout(grace);
        this.log.info('API closed');
        resolve();
      });
      this.server.closeIdleConnections();
      if (this.inFlight > 0) grace = this.clock.setTimeout(() => this.server.closeAllConnections(), this.closeGraceMs);
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = this.clock.now();
    const requestId = randomUUID();
    const entry: { requestId: string; method: string | undefined; path: string; operation?: string; status?: number; errorType?: string } = {
      requestId,
      method: req.method,
      path: pathOf(req.url),
    };
    this.inFlight++;
    // Once close() has begun, answered sockets are not kept alive (decided at answer time).
    const headers = (): Record<string, string> => ({ 'X-Amzn-RequestId': requestId, ...(this.closing ? { Connection: 'close' } : {}) });
    try {
      const result = await this.route(req, entry);
      entry.status = 200;
      sendJson(res, 200, result, headers());
    } catch (err) {
      const { status, type, message, extraHeaders } = this.toErrorResponse(err, requestId);
      entry.status = status;
      entry.errorType = type;
      sendError(res, status, type, message, { ...headers(), ...extraHeaders });
    } finally {
      this.inFlight--;
      if (this.closing) this.server.closeIdleConnections();
      const durationMs = Math.round((this.clock.now() - started) * 100) / 100;
      const level = (entry.status ?? 500) >= 500 ? 'error' : 'info';
      this.log[level]({ ...entry, durationMs }, 'API request');
    }
  }

  /** Everything between the raw request and the backend's answer; throws what becomes the error body. */
  private async route(req: IncomingMessage, entry: { operation?: string }): Promise<unknown> {
    const path = pathOf(req.url);
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
      req.resume();
      return { status: 'ok' };
    }
    if (path !== '/') {
      req.resume();
      throw new ApiProtocolError('UnknownOperationException', 404, `No such resource: ${path}. The API is POST / with an X-Amz-Target header.`);
    }
    if (req.method !== 'POST') {
      req.resume();
      throw methodNotAllowed('POST');
    }
    // Read (bounded) before answering anything else; a body over the limit is answered 413 at once (request-body.ts).
    const body = await readRequestBody(req, {
      maxBytes: this.maxBodyBytes, drainBytes: DRAIN_BYTES, lingerMs: LINGER_MS, clock: this.clock,
    });

    authorizeAdmin(req, (token) => this.backend.verifyAdminToken(token), this.throttle);

    const targetHeader = req.headers['x-amz-target'];
    const operation = operationFromTarget(typeof targetHeader === 'string' ? targetHeader : undefined, A4B_TARGET_PREFIX);
    if (operation === undefined) {
      throw new ApiProtocolError('UnknownOperationException', 400, `Missing or malformed X-Amz-Target header; expected ${A4B_TARGET_PREFIX}<Operation>`);
    }
    if (!this.operations.has(operation)) throw new ApiProtocolError('UnknownOperationException', 400, `Unknown operation ${operation}`);
    entry.operation = operation;

    if (!isAcceptedContentType(req.headers['content-type'])) {
      throw new ApiProtocolError('UnsupportedMediaTypeException', 415, `Content-Type must be ${AMZ_JSON_CONTENT_TYPE}`);
    }
    const input = parseBody(body);
    return this.backend.call(operation, input);
  }

  private toErrorResponse(err: unknown, requestId: string): { status: number; type: string; message: string; extraHeaders: Record<string, string> } {
    if (err instanceof ApiProtocolError) {
      const extraHeaders = err.closeConnection ? { ...err.headers, Connection: 'close' } : err.headers;
      return { status: err.status, type: err.type, message: err.message, extraHeaders };
    }
    if (isA4bError(err)) return { status: err.httpStatus, type: err.name, message: err.message, extraHeaders: {} };
    // A bug or an infrastructure failure: details go to the log (never the request), the client gets an id to quote.
    this.log.error({ err, requestId }, 'API operation failed unexpectedly');
    return { status: 500, type: 'InternalFailure', message: `Internal error (request id ${requestId})`, extraHeaders: {} };
  }
}

function methodNotAllowed(allowed: string): ApiProtocolError {
  return new ApiProtocolError('MethodNotAllowedException', 405, `Method not allowed; use ${allowed}`, { headers: { Allow: allowed } });
}

function pathOf(url: string | undefined): string {
  const q = (url ?? '/').indexOf('?');
  return q === -1 ? (url ?? '/') : (url ?? '/').slice(0, q);
}

/** The body as a JSON object. An empty body is `{}`, as AWS SDKs send for operations without input. */
function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const text = decodeUtf8(body);
  if (text === undefined) throw new ApiProtocolError('SerializationException', 400, 'Request body is not valid UTF-8');
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new ApiProtocolError('SerializationException', 400, `Request body is not valid JSON (${describeJsonError(parsed)})`);
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new ApiProtocolError('SerializationException', 400, 'Request body must be a JSON object');
  }
  return parsed.value as Record<string, unknown>;
}
