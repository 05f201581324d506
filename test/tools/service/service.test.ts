/**
 * `echosim service install|uninstall`: the units it writes pass `systemd-analyze verify` (Debian's
 * systemd package; tools/setup.sh installs it) with no warning, and say what a Pi service needs.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tempDir } from '../../hal/mic/helpers.js';
import { runCli } from '../run-cli.js';

const run = promisify(execFile);
const tmp = tempDir('echosim-service-');
afterAll(() => tmp.cleanup());

async function verify(unitFile: string): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run('systemd-analyze', ['verify', unitFile]);
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: e.code ?? 1, stderr: e.stderr ?? '' };
  }
}

const install = (role: string, config: string, unitDir: string, ...more: string[]) =>
  runCli(['service', 'install', role, '--config', config, '--unit-dir', unitDir, '--no-systemctl', '--no-create-user', ...more]);

describe('echosim service', () => {
  const unitDir = tmp.file('units');
  mkdirSync(unitDir);

  test('install device: a unit systemd-analyze accepts, restarting, after sound and network, as its own user, to journald, with the config', async () => {
    const dir = tmp.file('etc echosim %d');
    mkdirSync(dir);
    const config = `${dir}/device.json`;
    writeFileSync(config, JSON.stringify({ microphone: { source: 'alsa:plughw:CARD=seeed4micvoicec,DEV=0', channels: 4 }, leds: 'apa102', cloud: { url: 'mqtt://cloud.lan:1883', deviceId: 'kitchen-1', credentialsFile: 'kitchen-1.secret' } }));
    const r = await install('device', config, unitDir, '--user', 'echo-pi');
    expect(r.code).toBe(0);
    const file = `${unitDir}/echosim-device.service`;
    expect(r.stdout).toContain(`wrote ${file}`);
    const unit = readFileSync(file, 'utf8');
    expect(unit).toMatch(/^After=sound\.target network-online\.target$/m);
    expect(unit).toMatch(/^Wants=network-online\.target$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^User=echo-pi$/m);
    expect(unit).toMatch(/^StandardOutput=journal$/m);
    expect(unit).toMatch(/^StandardError=journal$/m);
    expect(unit).toMatch(/^StateDirectory=echosim\/device$/m);
    // The path with a space and a % is quoted and escaped for systemd; the data goes to the state directory.
    expect(unit).toContain(`device --config "${dir.replace('%', '%%')}/device.json" --data %S/echosim/device`);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    const v = await verify(file);
    expect(v).toEqual({ code: 0, stderr: '' });
  });

  test('install cloud: its own unit, verified, with the data directory the config names writable', async () => {
    const config = tmp.file('cloud.json');
    writeFileSync(config, JSON.stringify({ dataDir: '/var/lib/echosim-cloud', mqtt: { host: '0.0.0.0' }, homeAssistant: { enabled: true } }));
    const r = await install('cloud', config, unitDir);
    expect(r.code).toBe(0);
    const unit = readFileSync(`${unitDir}/echosim-cloud.service`, 'utf8');
    expect(unit).toMatch(/^After=network-online\.target$/m);
    expect(unit).toMatch(/^User=echosim$/m);
    expect(unit).toMatch(/^ReadWritePaths=\/var\/lib\/echosim-cloud$/m);
    expect(unit).toMatch(new RegExp(`cloud --config ${config}$`, 'm'));
    expect(await verify(`${unitDir}/echosim-cloud.service`)).toEqual({ code: 0, stderr: '' });
  });

  test('a bad config, a bad user name or a missing unit directory writes nothing', async () => {
    const dir = tmp.file('empty-units');
    mkdirSync(dir);
    const bad = tmp.file('bad.json');
    writeFileSync(bad, JSON.stringify({ microphone: { source: 'alsa', channels: 'four' } }));
    const r1 = await install('device', bad, dir);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('microphone.channels');
    const good = tmp.file('good.json');
    writeFileSync(good, JSON.stringify({ offline: true }));
    const r2 = await install('device', good, dir, '--user', 'Root;rm');
    expect(r2.stderr).toContain('SERVICE_INSTALL_FAILED');
    const r3 = await install('device', good, tmp.file('no-such-dir'));
    expect(r3.stderr).toContain('does not exist');
    expect(existsSync(`${dir}/echosim-device.service`)).toBe(false);
    const r4 = await runCli(['service', 'install', 'fridge', '--config', good]);
    expect(r4.code).toBe(2);
  });

  test('uninstall removes the unit, and says so when there is none', async () => {
    const config = tmp.file('off.json');
    writeFileSync(config, JSON.stringify({ offline: true, microphone: { source: 'synthetic:silence' } }));
    const dir = tmp.file('units2');
    mkdirSync(dir);
    expect((await install('device', config, dir)).code).toBe(0);
    const r = await runCli(['service', 'uninstall', 'device', '--unit-dir', dir, '--no-systemctl']);
    expect(r.code).toBe(0);
    expect(existsSync(`${dir}/echosim-device.service`)).toBe(false);
    const again = await runCli(['service', 'uninstall', 'device', '--unit-dir', dir, '--no-systemctl']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not installed');
  });
});
