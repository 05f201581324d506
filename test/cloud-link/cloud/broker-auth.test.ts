/**
 * The embedded broker's logins through the registry, with the login back-off: wrong device secrets
 * get CONNACK 5 until the username at that address is in back-off, then CONNACK 3 ("server
 * unavailable", which devices retry later) before the secret is checked.
 */
import { connect as tcpConnect } from 'node:net';
import { MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../../cloud-link/broker/embedded-broker.js';
import { AuthThrottle } from '../../../cloud-link/cloud/auth/auth-throttle.js';
import { registryAuthenticator } from '../../../cloud-link/cloud/broker-auth.js';
import { openHarness, type Harness } from './a4b/helpers.js';

/** CONNECT as `username` from `localAddress`; resolves to the CONNACK return code. */
function connackOf(port: number, username: string, password: string, localAddress = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = new MqttClient(() => tcpConnect({ host: '127.0.0.1', port, localAddress }), {
      clientId: username,
      username,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    const done = (code: number): void => void client.end(true, {}, () => resolve(code));
    client.once('connect', () => done(0));
    client.once('error', (err: Error & { code?: unknown }) => (typeof err.code === 'number' ? done(err.code) : reject(err)));
  });
}

let h: Harness;
let broker: EmbeddedBroker;
let secrets: Record<string, string>;

beforeEach(async () => {
  h = openHarness();
  secrets = {};
  for (const id of ['D1', 'D2']) {
    secrets[id] = (await h.call('RegisterDevice', { DeviceSerialNumber: id, DeviceType: 'echo-dot-3', DeviceName: `Device ${id}` })).Secret as string;
  }
  const throttle = new AuthThrottle({ clock: h.clock, freeFailures: 3, baseDelayMs: 1000 });
  broker = await EmbeddedBroker.start({ port: 0, authenticate: registryAuthenticator(h.service, throttle) });
});
afterEach(async () => {
  await broker.close();
  h.cleanup();
});

describe('broker logins with back-off', () => {
  test('wrong secrets for a device at one address: refused, then throttled (CONNACK 3) before any check', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push(await connackOf(broker.port, 'D1', `wrong-${i}`));
    expect(codes).toEqual([5, 5, 5, 3]);
    expect(await connackOf(broker.port, 'D1', secrets.D1!)).toBe(3); // not even the right secret during back-off
    // the same device from another address, and another device from this one, are not affected
    expect(await connackOf(broker.port, 'D1', secrets.D1!, '127.1.0.7')).toBe(0);
    expect(await connackOf(broker.port, 'D2', secrets.D2!)).toBe(0);
    await h.clock.advance(1000);
    expect(await connackOf(broker.port, 'D1', secrets.D1!)).toBe(0);
  });

  test("the cloud's own login is checked against the admin token, behind the same back-off", async () => {
    const token = h.service.readAdminToken() ?? '';
    expect(await connackOf(broker.port, 'echosim-cloud', token)).toBe(0);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push(await connackOf(broker.port, 'echosim-cloud', 'not-the-token', '127.1.0.3'));
    expect(codes).toEqual([5, 5, 5, 3]);
    expect(await connackOf(broker.port, 'echosim-cloud', token)).toBe(0);
  });
});
