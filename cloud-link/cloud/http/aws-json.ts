/**
 * The wire format of the AWS JSON 1.1 protocol as Alexa for Business spoke it: `POST /` with
 * `X-Amz-Target: AlexaForBusiness.<Operation>` and `Content-Type: application/x-amz-json-1.1`,
 * a JSON object in, a JSON object out, and errors as `{"__type": "<Name>", "message": "..."}` with the
 * error's HTTP status. The pieces here are pure or touch only one request/response, so the server
 * module can stay about lifecycle and routing.
 */
import type { ServerResponse } from 'node:http';

export const AMZ_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Content types accepted on requests: the protocol's own, 1.0 (same body rules) and plain JSON for curl users. */
const ACCEPTED_CONTENT_TYPES = new Set([AMZ_JSON_CONTENT_TYPE, 'application/x-amz-json-1.0', 'application/json']);

/**
 * A protocol-level refusal the server answers itself (auth, routing, size, JSON), as opposed to the
 * service's A4bError. Same response shape; `type` becomes `__type`.
 */
export class ApiProtocolError extends Error {
  /** Close the connection after answering (the request body was not fully read). */
  readonly closeConnection: boolean;
  /** Extra response headers (Allow, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    options: { closeConnection?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.closeConnection = options.closeConnection ?? false;
    this.headers = options.headers ?? {};
  }
}

export function isAcceptedContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mediaType = header.split(';')[0]!.trim().toLowerCase();
  return ACCEPTED_CONTENT_TYPES.has(mediaType);
}

/** `AlexaForBusiness.CreateProfile` -> `CreateProfile`; undefined when the header is missing or foreign. */
export function operationFromTarget(header: string | undefined, prefix: string): string | undefined {
  if (header === undefined || !header.startsWith(prefix)) return undefined;
  const op = header.slice(prefix.length);
  // Only plain identifiers: the name ends up in logs and error messages.
  return /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(op) ? op : undefined;
}

/** The token of `Authorization: Bearer <token>`, or undefined. The scheme is case-insensitive (RFC 7235). */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header);
  return m?.[1];
}

/** Decodes a body as strict UTF-8 (a lone 0xff byte is an error, not U+FFFD). */
export function decodeUtf8(body: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    'Content-Type': AMZ_JSON_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { __type: type, message }, { 'X-Amzn-ErrorType': type, ...headers });
}
