/**
 * `echosim doctor` from its config file, and a device whose configured GPIO piece cannot start:
 * the start fails with the doctor's words instead of running on with a log line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { int16Bytes, pseudoRandomInt16, tempDir } from '../../hal/mic/helpers.js';
import { runCli } from '../run-cli.js';

const tmp = tempDir('echosim-doctor-cli-');
afterAll(() => tmp.cleanup());

function alsaEnv(): NodeJS.ProcessEnv {
  const home = tmp.file('home');
  mkdirSync(home);
  writeFileSync(`${home}/in.raw`, int16Bytes(pseudoRandomInt16(2 * 16000, 3)));
  writeFileSync(`${home}/.asoundrc`, `pcm.hatmic {\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n  infile "${home}/in.raw"\n  format "raw"\n}\n`);
  return { HOME: home, XDG_CONFIG_HOME: `${home}/.config` };
}

describe('echosim doctor', () => {
  const env = alsaEnv();
  const root = tmp.file('root');
  mkdirSync(`${root}/dev`, { recursive: true });
  const config = tmp.file('device.json');
  writeFileSync(config, JSON.stringify({ microphone: { source: 'alsa:hatmic', channels: 2 }, buttons: { kind: 'gpio', gpio: { 17: 'action' } }, offline: true }));

  test('reads the config, prints a table with what to do, and exits 1 when a piece fails', async () => {
    const r = await runCli(['doctor', '--config', config, '--device-root', root], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`checking ${config}`);
    expect(r.stdout).toMatch(/microphone\s+ok\s+alsa:hatmic: 1 s captured, 2 ch at 16000 Hz/);
    expect(r.stdout).toMatch(/GPIO buttons\s+FAIL\s+cannot open GPIO chip \/dev\/gpiochip0: it does not exist/);
    expect(r.stdout).toContain('what to do: there is no /dev/gpiochip0');
  });

  test('--json gives the same rows to a script; a flag wins over the file', async () => {
    const r = await runCli(['doctor', '--config', config, '--device-root', root, '--buttons', 'none', '--json'], { env });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ piece: string; status: string }>;
    expect(rows.find((x) => x.piece === 'GPIO buttons')).toMatchObject({ status: 'skip' });
    expect(rows.find((x) => x.piece === 'microphone')).toMatchObject({ status: 'ok' });
  });

  test('a bad config file is a usage error naming the field', async () => {
    const bad = tmp.file('bad.json');
    writeFileSync(bad, JSON.stringify({ microphone: { source: 'alsa:hatmic', channels: 0 } }));
    const r = await runCli(['doctor', '--config', bad], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID');
    expect(r.stderr).toContain('microphone.channels:');
  });

  test("a device whose GPIO buttons cannot start fails its start with the doctor's message", async () => {
    const doctor = await runCli(['doctor', '--config', config, '--device-root', '/', '--json'], { env });
    const gpio = (JSON.parse(doctor.stdout) as Array<{ piece: string; detail: string; fix: string }>).find((x) => x.piece === 'GPIO buttons')!;
    const r = await runCli(['device', '--config', config, '--fast', '--events', 'jsonl'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error GPIO_UNAVAILABLE: ${gpio.detail}`);
    expect(r.stderr).toContain(`hint: ${gpio.fix}`);
    expect(r.lines.filter((l) => l.type === 'state')).toEqual([]);
  });
});
