/**
 * Wrong admin tokens on the API back off (429 ThrottlingException with Retry-After) before the token
 * is looked at: per client address, and globally across addresses, while an administrator who has
 * logged in keeps working.
 */
import { request as httpRequest } from 'node:http';
import { AuthThrottle } from '../../../../cloud-link/cloud/auth/auth-throttle.js';
import { ApiServer } from '../../../../cloud-link/cloud/http/api-server.js';
import { VirtualClock } from '../../../../core/clock.js';
import { ADMIN_TOKEN, TestBackend } from './test-backend.js';

class CountingBackend extends TestBackend {
  checks = 0;
  override verifyAdminToken(token: string): boolean {
    this.checks++;
    return super.verifyAdminToken(token);
  }
}

interface Reply {
  status: number | undefined;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/** One SearchProfiles call from `localAddress` (all of 127/8 is this host). */
function call(url: string, token: string, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/`, {
      method: 'POST',
      localAddress,
      agent: false,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AlexaForBusiness.SearchProfiles', Authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'], body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

let clock: VirtualClock;
let backend: CountingBackend;
let api: ApiServer;

beforeEach(async () => {
  clock = new VirtualClock();
  backend = new CountingBackend();
  const throttle = new AuthThrottle({ clock, freeFailures: 3, baseDelayMs: 2000, globalFailuresPerSecond: 1, globalBurst: 8 });
  api = await ApiServer.start({ backend, port: 0, clock, throttle });
});
afterEach(async () => api.close());

describe('API login back-off', () => {
  test('an address sending wrong tokens gets 429 before its token is checked, until the back-off has passed', async () => {
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(api.url, `wrong-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const throttled = await call(api.url, 'wrong-again');
    expect(throttled).toEqual({
      status: 429,
      retryAfter: '2',
      body: { __type: 'ThrottlingException', message: 'Too many requests with a wrong admin token from this address; retry in 2 s' },
    });
    expect(backend.checks).toBe(3);
    // the right token does not help while the address is in back-off: nothing is checked
    expect((await call(api.url, ADMIN_TOKEN)).status).toBe(429);
    expect(backend.checks).toBe(3);
    expect(backend.calls).toEqual([]);
    // another address is not affected
    expect((await call(api.url, ADMIN_TOKEN, '127.1.0.9')).status).toBe(200);
    await clock.advance(2000);
    expect((await call(api.url, ADMIN_TOKEN)).status).toBe(200);
    expect((await call(api.url, 'wrong-after-success')).status).toBe(401); // a success cleared the back-off
  });

  test('failures from many addresses exhaust a global budget; the administrator who logged in before is not locked out', async () => {
    expect((await call(api.url, ADMIN_TOKEN)).status).toBe(200);
    const statuses: Array<number | undefined> = [];
    for (let i = 1; i <= 12; i++) statuses.push((await call(api.url, 'wrong', `127.1.0.${i}`)).status);
    expect(statuses).toEqual([...Array(8).fill(401), ...Array(4).fill(429)]);
    const refused = await call(api.url, 'wrong', '127.1.1.1');
    expect(refused.body).toEqual({ __type: 'ThrottlingException', message: 'Too many requests with wrong admin tokens; retry in 1 s' });
    expect(backend.checks).toBe(9);
    expect((await call(api.url, ADMIN_TOKEN)).status).toBe(200);
    await clock.advance(1000);
    expect((await call(api.url, 'wrong', '127.1.1.2')).status).toBe(401);
  });

  test('a request without a token is 401 at once', async () => {
    const res = await fetch(`${api.url}/`, { method: 'POST', headers: { 'X-Amz-Target': 'AlexaForBusiness.SearchProfiles' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(backend.checks).toBe(0);
  });
});
