import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_SOCKET_PAYLOAD_BYTES } from './protocol/limits.js';
import { EchosimError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { packageRoot } from '../../core/package-root.js';
import { isLoopbackHost, type ListenAddress } from './listen-address.js';
import { browserModules } from './browser-modules.js';

/** Where the pages' HTML, CSS and JavaScript are: plain files served as they are (no bundler). */
export const PUBLIC_DIR = (): string => path.join(packageRoot(), 'tools', 'web', 'public');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The same security headers on every answer: nothing but this origin's own files, no framing, no referrer. */
const HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export const SOCKET_PATH = '/ws';

export interface WebServerOptions extends ListenAddress {
  /** URL path -> file in PUBLIC_DIR, e.g. { '/': 'device.html' }. Shared files (ring.js, style.css) are added. */
  pages: Readonly<Record<string, string>>;
  /** Compiled echosim modules the pages import (paths under dist/, served with their imports under /lib/: browser-modules.ts). */
  modules?: readonly string[];
  onSocket(ws: WebSocket, req: http.IncomingMessage): void;
  log: Logger;
}

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * One HTTP server for a page and its WebSocket API: a fixed set of files read at start (no path from
 * a request ever reaches the file system) and the socket on /ws. Both refuse a request whose Host is
 * not this machine when bound to loopback (a DNS-rebinding page cannot reach it), and the socket
 * refuses an Origin other than its own (a page from another site cannot drive the device or the
 * fleet through the user's browser). `ws` refuses any frame above MAX_SOCKET_PAYLOAD_BYTES at its header.
 */
export class WebServer {
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly assets = new Map<string, Asset>();
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: WebServerOptions) {
    const files = { ...options.pages, '/style.css': 'style.css', '/ring.js': 'ring.js', '/socket.js': 'socket.js' };
    for (const [url, file] of Object.entries(files)) {
      this.assets.set(url, { body: readFileSync(path.join(PUBLIC_DIR(), file)), type: TYPES[path.extname(file)] ?? 'application/octet-stream' });
    }
    for (const [url, body] of browserModules(options.modules ?? [])) this.assets.set(url, { body, type: TYPES['.js'] ?? '' });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_PAYLOAD_BYTES, perMessageDeflate: false });
    this.server = http.createServer((req, res) => this.serve(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  static async start(options: WebServerOptions): Promise<WebServer> {
    const web = new WebServer(options);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void =>
        reject(
          new EchosimError('WEB_LISTEN_FAILED', `cannot serve the web page on ${options.host}:${options.port}: ${err.code ?? err.message}`, {
            hint: err.code === 'EADDRINUSE' ? 'Another program has that port: give another one (--web 8711), or 0 for a free one.' : 'Check the address.',
            cause: err,
          }),
        );
      web.server.once('error', onError);
      web.server.listen(options.port, options.host, () => {
        web.server.off('error', onError);
        resolve();
      });
    });
    return web;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** http://host:port/ of the page (a wildcard bind shows 127.0.0.1). */
  get url(): string {
    const host = this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}/`;
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const ws of this.wss.clients) ws.terminate();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
    })();
    return this.closing;
  }

  /** A Host this server answers: any when bound to a public address, only loopback names when bound to loopback. */
  private hostAllowed(req: http.IncomingMessage): boolean {
    if (!isLoopbackHost(this.options.host)) return true;
    const host = req.headers.host;
    if (!host) return false;
    try {
      return isLoopbackHost(new URL(`http://${host}`).hostname);
    } catch {
      return false;
    }
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!this.hostAllowed(req)) return send(421, 'this page answers only to localhost\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET\n');
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const asset = this.assets.get(pathname);
    if (!asset) return send(404, 'not found\n');
    send(200, asset.body, asset.type);
  }

  private upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, why: string): void => {
      this.options.log.info({ status, origin: req.headers.origin, host: req.headers.host }, `web socket refused: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(req.url ?? '/', 'http://x').pathname !== SOCKET_PATH) return refuse(404, 'not the socket path');
    if (!this.hostAllowed(req)) return refuse(421, 'Host is not this machine');
    if (!originAllowed(req)) return refuse(403, 'cross-origin');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.options.onSocket(ws, req));
  }
}

/**
 * No Origin (a program, not a browser page) or the page's own origin. Browsers always send Origin on a
 * WebSocket handshake, so a page from any other site is refused.
 */
export function originAllowed(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const o = new URL(origin);
    return (o.protocol === 'http:' || o.protocol === 'https:') && o.host === req.headers.host;
  } catch {
    return false;
  }
}
