/**
 * The management API's HTTP layer against an in-test backend: AWS JSON 1.1 routing, auth, error
 * mapping, limits, JSON errors, logging hygiene and shutdown, over real sockets on an ephemeral port.
 */
import { request as httpRequest, Agent } from 'node:http';
import { pino } from 'pino';
import { VirtualClock } from '../../../../core/clock.js';
import { ApiServer } from '../../../../cloud-link/cloud/http/api-server.js';
import { ADMIN_TOKEN, TestBackend } from './test-backend.js';

const TARGET = 'AlexaForBusiness.';
const PASSWORD = 'Zebra-Quartz-9913';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

let backend: TestBackend;
let api: ApiServer;
let logLines: string[];
let logWaiters: Array<{ match: (entry: Record<string, unknown>) => boolean; resolve: (entry: Record<string, unknown>) => void }> = [];

/** Resolves with the first log entry from now on that matches. */
function nextLog(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => logWaiters.push({ match, resolve }));
}

function onLogLine(line: string): void {
  logLines.push(line);
  const entry = JSON.parse(line) as Record<string, unknown>;
  logWaiters = logWaiters.filter((w) => (w.match(entry) ? (w.resolve(entry), false) : true));
}

async function start(options: { maxBodyBytes?: number; clock?: VirtualClock; closeGraceMs?: number } = {}): Promise<void> {
  backend = new TestBackend();
  logLines = [];
  const log = pino({ level: 'trace' }, { write: onLogLine });
  api = await ApiServer.start({ backend, port: 0, log, ...options });
}

async function call(operation: string | undefined, body: string | object, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${api.url}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(operation === undefined ? {} : { 'X-Amz-Target': `${TARGET}${operation}` }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

beforeEach(async () => start());
afterEach(async () => api.close());

describe('ApiServer routing and responses', () => {
  test('an operation reaches the backend with the parsed input and answers its JSON', async () => {
    const r = await call('CreateProfile', { ProfileName: 'HQ', MaxVolumeLimit: 7 });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body).toEqual({ ProfileArn: 'arn:aws:a4b:local:000000000000:profile/p-1' });
    expect(backend.calls).toEqual([{ operation: 'CreateProfile', input: { ProfileName: 'HQ', MaxVolumeLimit: 7 } }]);
    const got = await call('GetProfile', { ProfileArn: r.body.ProfileArn });
    expect(got.body).toEqual({ Profile: { ProfileName: 'HQ', MaxVolumeLimit: 7, ProfileArn: r.body.ProfileArn } });
  });

  test('an empty body is the empty input {}, as AWS SDKs send for operations without input', async () => {
    const r = await call('SearchProfiles', '');
    expect(r.status).toBe(200);
    expect(backend.calls[0]).toEqual({ operation: 'SearchProfiles', input: {} });
  });

  test('GET /health needs no token', async () => {
    const res = await fetch(`${api.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  test('unknown, missing and foreign targets are UnknownOperationException and never reach the backend', async () => {
    const unknown = await call('ExplodeEverything', {});
    expect(unknown).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException', message: 'Unknown operation ExplodeEverything' } });
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const missing = await call(undefined, {});
    expect(missing).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    const foreign = await call(undefined, {}, { 'X-Amz-Target': 'DynamoDB_20120810.ListTables' });
    expect(foreign).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(backend.calls).toEqual([]);
  });

  test('wrong method and wrong path', async () => {
    const get = await fetch(`${api.url}/`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ __type: 'MethodNotAllowedException' });
    const path = await fetch(`${api.url}/v1/profiles`, { method: 'POST', body: '{}' });
    expect(path.status).toBe(404);
    expect(await path.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  test('a foreign Content-Type is 415; plain application/json is accepted for curl users', async () => {
    const form = await call('SearchProfiles', '{}', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form).toMatchObject({ status: 415, body: { __type: 'UnsupportedMediaTypeException' } });
    const json = await call('SearchProfiles', '{}', { 'Content-Type': 'application/json; charset=utf-8' });
    expect(json.status).toBe(200);
  });
});

describe('ApiServer auth', () => {
  test('missing, malformed and wrong tokens are 401 UnauthorizedException before the backend runs', async () => {
    const missing = await call('SearchProfiles', {}, { Authorization: '' });
    expect(missing).toMatchObject({ status: 401, body: { __type: 'UnauthorizedException' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="echosim"');
    const basic = await call('SearchProfiles', {}, { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` });
    expect(basic.status).toBe(401);
    const wrong = await call('SearchProfiles', {}, { Authorization: `Bearer ${ADMIN_TOKEN}x` });
    expect(wrong).toMatchObject({ status: 401, body: { __type: 'UnauthorizedException', message: 'The admin token is not valid' } });
    // Unauthenticated callers learn nothing about which operations exist.
    const probe = await call('NoSuchOperation', {}, { Authorization: 'Bearer nope' });
    expect(probe.status).toBe(401);
    expect(backend.calls).toEqual([]);
    // The scheme is case-insensitive (RFC 7235).
    expect((await call('SearchProfiles', {}, { Authorization: `bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });
});

describe('ApiServer error mapping', () => {
  test('A4bError becomes {__type, message} with its status', async () => {
    const nf = await call('GetProfile', { ProfileArn: 'arn:aws:a4b:local:000000000000:profile/nope' });
    expect(nf).toMatchObject({ status: 400, body: { __type: 'NotFoundException', message: 'Profile arn:aws:a4b:local:000000000000:profile/nope not found' } });
    await call('CreateProfile', { ProfileName: 'HQ' });
    const dup = await call('CreateProfile', { ProfileName: 'HQ' });
    expect(dup).toMatchObject({ status: 400, body: { __type: 'NameInUseException' } });
    const inUse = await call('DeleteProfile', { ProfileArn: 'x' });
    expect(inUse).toMatchObject({ status: 400, body: { __type: 'ResourceInUseException', message: 'The profile is used by 2 rooms' } });
  });

  test('any other failure is a 500 InternalFailure that does not leak its message, and is logged', async () => {
    const r = await call('GetDevice', { DeviceArn: 'x' });
    expect(r.status).toBe(500);
    expect(r.body.__type).toBe('InternalFailure');
    const requestId = r.headers.get('x-amzn-requestid')!;
    expect(r.body.message).toBe(`Internal error (request id ${requestId})`);
    expect(JSON.stringify(r.body)).not.toContain('SQLITE');
    const logged = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.requestId === requestId);
    expect(logged.some((l) => JSON.stringify(l.err).includes('SQLITE_CORRUPT'))).toBe(true);
    expect(logged.some((l) => l.status === 500 && l.operation === 'GetDevice' && l.errorType === 'InternalFailure')).toBe(true);
  });
});

describe('ApiServer request bodies', () => {
  test('malformed JSON is 400 SerializationException with line and column', async () => {
    const r = await call('CreateProfile', '{\n  "ProfileName": "HQ",\n  "MaxVolumeLimit": 7,\n}');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ __type: 'SerializationException', message: 'Request body is not valid JSON (line 4, column 1: trailing comma before })' });
    const token = await call('CreateProfile', '{"ProfileName": tru}');
    expect(token.body.message).toBe('Request body is not valid JSON (line 1, column 17: expected a value (string, number, object, array, true, false or null))');
    expect(backend.calls).toEqual([]);
  });

  test('a body that is not an object, or not UTF-8, is refused', async () => {
    expect((await call('CreateProfile', '[1,2]')).body).toEqual({ __type: 'SerializationException', message: 'Request body must be a JSON object' });
    expect((await call('CreateProfile', 'null')).body.__type).toBe('SerializationException');
    const res = await fetch(`${api.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `${TARGET}CreateProfile`, Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'SerializationException', message: 'Request body is not valid UTF-8' });
  });

  test('a body over the limit is 413 and never reaches the backend; one at the limit passes', async () => {
    await api.close();
    await start({ maxBodyBytes: 1024 });
    const filler = (n: number): string => JSON.stringify({ ProfileName: 'x'.repeat(n - 18) }); // 18 bytes of JSON around the name
    expect(Buffer.byteLength(filler(1024))).toBe(1024);
    expect((await call('CreateProfile', filler(1024))).status).toBe(200);
    const over = await call('CreateProfile', filler(1025));
    expect(over).toMatchObject({ status: 413, body: { __type: 'RequestEntityTooLargeException', message: 'Request body exceeds the 1024-byte limit' } });
    expect(backend.calls).toHaveLength(1);
  });

  test('a declared body far over the limit is refused from its Content-Length and the connection closed', async () => {
    const reply = await new Promise<{ status: number | undefined; connection: string | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest(`${api.url}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(64 * 1024 * 1024), Authorization: `Bearer ${ADMIN_TOKEN}`, 'X-Amz-Target': `${TARGET}CreateProfile` },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
      });
      req.on('error', reject);
      req.flushHeaders(); // headers only: the server must answer without waiting for 64 MiB
    });
    expect(reply.status).toBe(413);
    expect(reply.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(backend.calls).toEqual([]);
  });
});

describe('ApiServer aborted requests', () => {
  test('a client that disconnects mid-body is logged as an incomplete request and never reaches the backend', async () => {
    const logged = nextLog((e) => e.msg === 'API request');
    const req = httpRequest(`${api.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': '100', Authorization: `Bearer ${ADMIN_TOKEN}`, 'X-Amz-Target': `${TARGET}CreateProfile` },
    });
    req.on('error', () => undefined); // we hang up ourselves
    await new Promise<void>((resolve) => req.write('{"ProfileName":', () => resolve()));
    // A half-close (FIN) after the partial body: the server reads headers and 15 of 100 bytes, then EOF.
    req.socket!.end();
    expect(await logged).toMatchObject({ status: 400, errorType: 'IncompleteRequestException' });
    expect(backend.calls).toEqual([]);
  });
});

describe('ApiServer logs', () => {
  test('a network password in a request body never appears in any log line, whatever the outcome', async () => {
    const profile = { NetworkProfileName: 'Office', Ssid: 'corp', SecurityType: 'WPA2_PSK', CurrentPassword: PASSWORD, NextPassword: `${PASSWORD}-next` };
    expect((await call('CreateNetworkProfile', profile)).status).toBe(200);
    expect((await call('CreateNetworkProfile', `{"CurrentPassword": "${PASSWORD}", oops}`)).status).toBe(400);
    expect((await call('CreateNetworkProfile', profile, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('NoSuchOperation', profile)).status).toBe(400);
    expect((await call('GetDevice', { DeviceArn: PASSWORD })).status).toBe(500);
    // The backend really got the password: the test would be empty otherwise.
    expect(JSON.stringify(backend.calls)).toContain(PASSWORD);
    expect(logLines.length).toBeGreaterThanOrEqual(5);
    for (const line of logLines) expect(line).not.toContain('Zebra');
    const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'API request');
    expect(entries.map((e) => [e.operation, e.status])).toEqual([
      ['CreateNetworkProfile', 200],
      ['CreateNetworkProfile', 400],
      [undefined, 401],
      [undefined, 400],
      ['GetDevice', 500],
    ]);
    for (const e of entries) expect(typeof e.durationMs).toBe('number');
    expect(entries[1]).toMatchObject({ errorType: 'SerializationException' });
  });
});

describe('ApiServer.close', () => {
  test('closes idle keep-alive sockets at once', async () => {
    const agent = new Agent({ keepAlive: true });
    const { socket, connection } = await new Promise<{ socket: import('node:net').Socket; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(`${api.url}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ socket: req.socket!, connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(connection).toBe('keep-alive');
    expect(socket.destroyed).toBe(false);
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // No grace timer is involved for idle sockets: close() resolves once the server has cut them.
    await Promise.all([api.close(), socketClosed]);
    expect(socket.destroyed).toBe(true);
    agent.destroy();
  });

  test('lets an in-flight request finish, answering it with Connection: close', async () => {
    let release!: () => void;
    backend.gate = new Promise<void>((r) => (release = r));
    const arrived = backend.nextCall();
    const pending = call('SearchProfiles', {});
    await arrived;
    const closed = api.close();
    release();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.headers.get('connection')).toBe('close');
    await closed;
    await expect(fetch(`${api.url}/health`)).rejects.toThrow();
  });

  test('cuts a request still running when the grace period ends', async () => {
    await api.close();
    const clock = new VirtualClock();
    await start({ clock, closeGraceMs: 2000 });
    backend.gate = new Promise<void>(() => undefined); // never answers
    const arrived = backend.nextCall();
    const pending = call('SearchProfiles', {}).then(
      () => 'answered',
      () => 'cut',
    );
    await arrived;
    let closed = false;
    const closing = api.close().then(() => (closed = true));
    await clock.advance(1999);
    expect(closed).toBe(false);
    await clock.advance(1);
    await closing;
    expect(await pending).toBe('cut');
  });
});
