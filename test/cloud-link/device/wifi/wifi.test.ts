import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NetworkManagerWifi, connectionId } from '../../../../cloud-link/device/wifi/network-manager.js';
import { SimulatedWifi } from '../../../../cloud-link/device/wifi/simulated-wifi.js';

describe('simulated Wi-Fi', () => {
  test('joins only with a password the access point accepts, and follows a rotation through NextPassword', async () => {
    const ap = { ssid: 'Office', securityType: 'WPA2_PSK' as const, password: 'old-secret' };
    const wifi = new SimulatedWifi([ap]);
    expect(await wifi.apply({ Ssid: 'Office', SecurityType: 'WPA2_PSK', CurrentPassword: 'wrong-one' })).toMatchObject({
      State: 'FAILED',
      Detail: 'INVALID_PASSWORD_STATE',
    });
    expect(await wifi.apply({ Ssid: 'Nowhere', SecurityType: 'WPA2_PSK', CurrentPassword: 'old-secret' })).toMatchObject({
      Detail: 'NETWORK_PROFILE_NOT_FOUND',
    });
    const rotating = await wifi.apply({ Ssid: 'Office', SecurityType: 'WPA2_PSK', CurrentPassword: 'old-secret', NextPassword: 'new-secret' });
    expect(rotating).toMatchObject({ State: 'CONNECTED', PasswordSynced: true });
    ap.password = 'new-secret'; // the administrator changes the real network after devices report synced
    expect(await wifi.networkChanged()).toMatchObject({ State: 'CONNECTED' });
    ap.password = 'third';
    expect(await wifi.networkChanged()).toMatchObject({ State: 'FAILED' });
    expect(JSON.stringify(wifi.status())).not.toMatch(/secret/);
  });
});

describe('NetworkManager writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-nm-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeNmcli(exitCode = 0): string {
    const log = path.join(dir, 'nmcli.log');
    const bin = path.join(dir, 'nmcli');
    writeFileSync(bin, `#!/bin/sh\necho "$@" >> '${log}'\nexit ${exitCode}\n`);
    chmodSync(bin, 0o755);
    return bin;
  }

  test('writes a 0600 keyfile, reloads and brings the connection up; the password is never an argument', async () => {
    const nmcli = fakeNmcli();
    const wifi = new NetworkManagerWifi({ dir: path.join(dir, 'conns'), nmcli });
    const status = await wifi.apply({ Ssid: 'Office 5G', SecurityType: 'WPA2_PSK', CurrentPassword: 'hunter22' });
    expect(status).toMatchObject({ State: 'CONNECTED', Ssid: 'Office 5G' });
    const file = path.join(dir, 'conns', `${connectionId('Office 5G')}.nmconnection`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const keyfile = readFileSync(file, 'utf8');
    expect(keyfile).toContain('ssid=Office 5G');
    expect(keyfile).toContain('psk=hunter22');
    const calls = readFileSync(path.join(dir, 'nmcli.log'), 'utf8').trim().split('\n');
    expect(calls).toEqual(['connection reload', 'connection up id echosim-Office_5G']);
    expect(calls.join(' ')).not.toContain('hunter22');
  });

  test('nmcli failing reports FAILED; nmcli missing says how to install it', async () => {
    const failing = new NetworkManagerWifi({ dir: path.join(dir, 'conns'), nmcli: fakeNmcli(4) });
    expect(await failing.apply({ Ssid: 'x', SecurityType: 'OPEN' })).toMatchObject({ State: 'FAILED' });
    const missing = new NetworkManagerWifi({ dir: path.join(dir, 'conns'), nmcli: path.join(dir, 'no-such-nmcli') });
    expect((await missing.apply({ Ssid: 'x', SecurityType: 'OPEN' })).Detail).toMatch(/not installed/);
  });
});
