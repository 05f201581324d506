/**
 * A body far over the limit, uploaded for real (50 MB through Node's http client, with a
 * Content-Length and chunked): the client must read the 413 in the AWS JSON error shape, and its
 * upload must not fail with EPIPE or a reset, which it did when the server destroyed the socket
 * right after answering.
 */
import { request as httpRequest } from 'node:http';
import { ApiServer } from '../../../../cloud-link/cloud/http/api-server.js';
import { ADMIN_TOKEN, TestBackend } from './test-backend.js';

const UPLOAD = Buffer.alloc(50 * 1024 * 1024, 0x20);

interface Outcome {
  status: number | undefined;
  connection: string | undefined;
  body: string;
  clientError: string | undefined;
}

function upload(url: string, chunked: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { status: undefined, connection: undefined, body: '', clientError: undefined };
    const req = httpRequest(`${url}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AlexaForBusiness.CreateProfile',
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(chunked ? {} : { 'Content-Length': String(UPLOAD.length) }),
      },
    });
    req.on('response', (res) => {
      outcome.status = res.statusCode;
      outcome.connection = res.headers.connection;
      res.on('data', (d: Buffer) => (outcome.body += d.toString()));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (outcome.clientError = err.code ?? err.message));
    // settles when the exchange is over either way: the upload written (or failed) and the socket closed
    req.on('close', () => resolve(outcome));
    if (chunked) {
      for (let i = 0; i < UPLOAD.length; i += 1024 * 1024) req.write(UPLOAD.subarray(i, i + 1024 * 1024));
      req.end();
    } else {
      req.end(UPLOAD);
    }
  });
}

describe('a 50 MB upload to the API', () => {
  let backend: TestBackend;
  let api: ApiServer;
  beforeEach(async () => {
    backend = new TestBackend();
    api = await ApiServer.start({ backend, port: 0 });
  });
  afterEach(async () => api.close());

  test.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('%s: the client reads the 413 and its upload ends without EPIPE', async (_name, chunked) => {
    const outcome = await upload(api.url, chunked);
    expect(outcome).toEqual({ status: 413, connection: 'close', body: expect.any(String), clientError: undefined });
    expect(JSON.parse(outcome.body)).toEqual({ __type: 'RequestEntityTooLargeException', message: 'Request body exceeds the 262144-byte limit' });
    expect(backend.calls).toEqual([]);
    // and the server is still there for the next client
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });
});
