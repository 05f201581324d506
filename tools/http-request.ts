import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tlsConnectOptions, type ClientTlsOptions } from '../cloud-link/tls/client-tls.js';

/**
 * One HTTP(S) request with a bounded answer, for the API client. Over https the server is verified
 * against `tls.ca` (default Node's public CAs), chain and name, always: node:https rather than
 * fetch, whose CA cannot be set without a separate HTTP library.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  tls?: ClientTlsOptions;
  signal: AbortSignal;
  /** Longest answer body read; a longer one fails the request. */
  maxBodyBytes: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

export function sendRequest(url: string, r: HttpRequest): Promise<HttpAnswer> {
  const https = new URL(url).protocol === 'https:';
  const options = { method: r.method, headers: r.headers ?? {}, signal: r.signal, ...(https ? tlsConnectOptions(r.tls) : {}) };
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > r.maxBodyBytes) {
          res.destroy(new Error(`the answer is larger than ${r.maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
