/**
 * A small client for the management API (cloud-link/cloud/http/api-server.ts), used by `echosim a4b`,
 * `echosim flash`, the test harness and scripts. It speaks the AWS JSON 1.1 protocol with a bearer
 * admin token and turns API errors into one EchosimError code, `A4B_API_ERROR`, whose message starts
 * with the A4B error name (`NotFoundException: ...`) and whose details carry it as `type`.
 *
 * Where the endpoint and token come from, first match wins:
 *   endpoint: options.endpoint, $ECHOSIM_ENDPOINT, http://127.0.0.1:8700
 *   token:    options.token, $ECHOSIM_ADMIN_TOKEN, the file <data dir>/admin-token that `echosim cloud`
 *             writes on first start (data dir: options.dataDir, $XDG_DATA_HOME/echosim/cloud,
 *             ~/.local/share/echosim/cloud)
 *   CA (https:// endpoints only): options.ca (a file), $ECHOSIM_CA, <data dir>/tls/ca.pem that
 *             `echosim cloud --tls` makes, else Node's public CAs. The server is always verified.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { SystemClock, type Clock } from '../core/clock.js';
import { EchosimError } from '../core/errors.js';
import { AMZ_JSON_CONTENT_TYPE } from '../cloud-link/cloud/http/aws-json.js';
import { A4B_TARGET_PREFIX, IDEMPOTENT_OPERATIONS, isA4bOperation } from '../cloud-link/cloud/http/operations.js';
import { readCaFile, type ClientTlsOptions } from '../cloud-link/tls/client-tls.js';
import { CA_CERT_FILE, TLS_DIR } from '../cloud-link/cloud/server-tls.js';
import { describeTlsError } from '../cloud-link/tls/tls-errors.js';
import { sendRequest } from './http-request.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8700';
export const ADMIN_TOKEN_FILE = 'admin-token';

export interface A4bClientOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8700. */
  endpoint?: string;
  /** The admin token itself. */
  token?: string;
  /** The cloud's data directory, where `admin-token` (and `tls/ca.pem`) live. */
  dataDir?: string;
  /** The CA file an https:// endpoint is verified with (`--ca`). */
  ca?: string;
  /** Environment to read ECHOSIM_* and XDG_DATA_HOME from; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per-call timeout; default 30 s. */
  timeoutMs?: number;
  clock?: Clock;
}

/** `$XDG_DATA_HOME/echosim/cloud`, else `~/.local/share/echosim/cloud` (the XDG default). */
export function defaultCloudDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? homedir(), '.local', 'share');
  return path.join(base, 'echosim', 'cloud');
}

export function resolveEndpoint(options: Pick<A4bClientOptions, 'endpoint' | 'env'> = {}): string {
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const raw = options.endpoint || (options.env ?? process.env).ECHOSIM_ENDPOINT || DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `Endpoint ${JSON.stringify(raw)} is not a URL`, {
      cause,
      hint: `Give a base URL such as ${DEFAULT_ENDPOINT} (--endpoint-url or ECHOSIM_ENDPOINT)`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EchosimError('CLI_ARGUMENT_INVALID', `Endpoint ${raw} must be http:// or https://`, { hint: `e.g. ${DEFAULT_ENDPOINT}` });
  }
  return url.toString();
}

/** The admin token from options, environment or the data directory; A4B_TOKEN_MISSING when none is found. */
export function resolveAdminToken(options: Pick<A4bClientOptions, 'token' | 'dataDir' | 'env'> = {}): string {
  const env = options.env ?? process.env;
  const direct = options.token ?? env.ECHOSIM_ADMIN_TOKEN;
  if (direct !== undefined && direct.trim() !== '') return direct.trim();
  const file = path.join(options.dataDir ?? defaultCloudDataDir(env), ADMIN_TOKEN_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new EchosimError('A4B_TOKEN_MISSING', `No admin token: none given and ${file} is not readable`, {
      cause,
      hint: 'Pass --token, set ECHOSIM_ADMIN_TOKEN, or point --data-dir at the directory `echosim cloud` uses (it writes admin-token there on first start)',
      details: { file },
    });
  }
  const token = text.trim();
  if (token === '') throw new EchosimError('A4B_TOKEN_MISSING', `The admin token file ${file} is empty`, { hint: 'Restore it from the cloud data directory or pass --token', details: { file } });
  return token;
}

/** The CA an https:// endpoint is verified with: given, $ECHOSIM_CA, the data directory's, or none (public CAs). */
export function resolveCa(options: Pick<A4bClientOptions, 'ca' | 'dataDir' | 'env'> = {}): ClientTlsOptions | undefined {
  const env = options.env ?? process.env;
  const given = options.ca || env.ECHOSIM_CA;
  if (given) return readCaFile(given);
  const inDataDir = path.join(options.dataDir ?? defaultCloudDataDir(env), TLS_DIR, CA_CERT_FILE);
  return existsSync(inDataDir) ? readCaFile(inDataDir) : undefined;
}

/** What a few API error names usually mean for the person at the terminal. */
const HINTS: Record<string, string> = {
  UnauthorizedException: 'Check the admin token (--token, ECHOSIM_ADMIN_TOKEN or <data dir>/admin-token) matches the running cloud',
  NotFoundException: 'Check the ARN; the search-* operations list what exists',
  NameInUseException: 'Pick another name, or update the existing resource',
  ResourceInUseException: 'Disassociate it from the devices or rooms that use it first',
  ConcurrentModificationException: 'Someone else changed it at the same time; get it again and retry',
  LimitExceededException: 'Wait and retry later (DeleteDeviceUsageData runs at most once per 24 h per device)',
  ValidationException: 'Fix the named field; docs/alexa-for-business.md lists the limits',
  SerializationException: 'The request body must be a JSON object',
  UnknownOperationException: 'The server does not know this operation; is it an echosim cloud of the same version?',
  ThrottlingException: 'Too many wrong admin tokens came from this address (or from everywhere): wait the time the message gives, then retry with the right token',
};

export class A4bClient {
  readonly endpoint: string;
  private readonly options: A4bClientOptions;
  private readonly clock: Clock;
  private token: string | undefined;
  private tls: ClientTlsOptions | undefined;

  constructor(options: A4bClientOptions = {}) {
    this.options = options;
    this.endpoint = resolveEndpoint(options);
    this.clock = options.clock ?? new SystemClock();
    if (new URL(this.endpoint).protocol === 'https:') this.tls = resolveCa(options);
  }

  /**
   * Runs `operation` (A4B name, e.g. `CreateProfile`) with `input` and resolves to the parsed response.
   * An operation that takes a ClientRequestToken gets a random one when `input` has none (AWS CLI style).
   * Throws EchosimError A4B_API_ERROR for an API error, A4B_API_UNREACHABLE when no answer came back.
   */
  async call<T = unknown>(operation: string, input: unknown = {}): Promise<T> {
    this.token ??= resolveAdminToken(this.options);
    const { status, body, requestId } = await this.request(this.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': AMZ_JSON_CONTENT_TYPE,
        'X-Amz-Target': `${A4B_TARGET_PREFIX}${operation}`,
        Authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify(withIdempotencyToken(operation, input ?? {})),
    }, operation);
    let parsed: unknown;
    try {
      parsed = body === '' ? {} : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300 && parsed !== undefined) return parsed as T;
    throw apiError(operation, status, parsed, requestId);
  }

  /** True when GET /health answers ok (no token needed); for waiting until a cloud is up. */
  async health(): Promise<boolean> {
    try {
      const { status } = await this.request(new URL('health', this.endpoint.endsWith('/') ? this.endpoint : `${this.endpoint}/`).toString(), { method: 'GET' }, 'health');
      return status === 200;
    } catch {
      return false;
    }
  }

  private async request(
    url: string,
    init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
    operation: string,
  ): Promise<{ status: number; body: string; requestId: string | undefined }> {
    const abort = new AbortController();
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const timer = this.clock.setTimeout(() => abort.abort(), timeoutMs);
    try {
      const res = await sendRequest(url, { ...init, signal: abort.signal, maxBodyBytes: MAX_ANSWER_BYTES, ...(this.tls ? { tls: this.tls } : {}) });
      const requestId = res.headers['x-amzn-requestid'];
      return { status: res.status, body: res.body, requestId: typeof requestId === 'string' ? requestId : undefined };
    } catch (cause) {
      const tlsError = abort.signal.aborted ? undefined : describeTlsError(cause as Error, this.endpoint, this.tls?.caSource);
      if (tlsError) throw tlsError;
      const reason = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(cause);
      throw new EchosimError('A4B_API_UNREACHABLE', `${operation}: cannot reach the API at ${this.endpoint}: ${reason}`, {
        cause,
        hint: this.plainToTls(cause)
          ? `The cloud hung up on plain HTTP: it may serve https (echosim cloud --tls). Try --endpoint-url ${this.endpoint.replace(/^http:/, 'https:')}`
          : 'Is `echosim cloud` running? Check --endpoint-url / ECHOSIM_ENDPOINT',
        details: { endpoint: this.endpoint, operation },
      });
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** A plain http:// request the server hung up on: what an https listener does with one. */
  private plainToTls(cause: unknown): boolean {
    return new URL(this.endpoint).protocol === 'http:' && (cause as { code?: string }).code === 'ECONNRESET';
  }
}

/** Answers are JSON documents of at most a few hundred KB (a search page); anything far larger is refused. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** `input` with a fresh ClientRequestToken (a UUID) when the operation takes one and none is given. */
export function withIdempotencyToken(operation: string, input: unknown): unknown {
  if (!isA4bOperation(operation) || !IDEMPOTENT_OPERATIONS.has(operation)) return input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  if ((input as Record<string, unknown>).ClientRequestToken !== undefined) return input;
  return { ...input, ClientRequestToken: randomUUID() };
}

function apiError(operation: string, status: number, parsed: unknown, requestId: string | undefined): EchosimError {
  const obj = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  // AWS services sometimes qualify the name ("com.amazon...#NotFoundException"); keep the short one.
  const rawType = typeof obj.__type === 'string' ? obj.__type : `Http${status}`;
  const type = rawType.slice(rawType.lastIndexOf('#') + 1);
  const message =
    typeof obj.message === 'string' ? obj.message : typeof obj.Message === 'string' ? obj.Message : parsed === undefined ? `HTTP ${status} with a body that is not JSON` : `HTTP ${status}`;
  return new EchosimError('A4B_API_ERROR', `${type}: ${message}`, {
    hint: HINTS[type],
    details: { type, message, status, operation, ...(requestId ? { requestId } : {}) },
  });
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.code ?? e.cause?.code ?? e.message ?? String(err);
}
