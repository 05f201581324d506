/**
 * `echosim doctor`'s checks against real tools: arecord and aplay through ALSA's `file` plugin (no
 * sound card), a fake device tree (a temp dir standing in for / with dev/spidev0.1 and
 * dev/gpiochip0), stand-ins for libgpiod's tools and the spi-device addon (no GPIO or SPI here), real
 * model files, and the embedded broker with real credentials.
 */
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { probeCapture, probePlayback } from '../../../tools/doctor/alsa-probe.js';
import type { DoctorContext } from '../../../tools/doctor/check.js';
import { doctorExitCode, runDoctor, type DoctorTarget } from '../../../tools/doctor/doctor.js';
import { checkBroker } from '../../../tools/doctor/cloud-check.js';
import { renderDoctorTable } from '../../../tools/doctor/table.js';
import { loadSpiDeviceModule, SpiDeviceTransport } from '../../../hal/leds/spi-device-transport.js';
import { loadManifest, resolveModelDir } from '../../../models/manifest.js';
import { int16Bytes, pseudoRandomInt16, tempDir } from '../../hal/mic/helpers.js';
import { fakeGpioset } from '../../hal/gpio/fake-gpioset.js';
import { FakeSpiBus } from '../../hal/leds/fake-spi-bus.js';
import { startTestBroker, TEST_USERS, type TestBroker } from '../../support/mosquitto.js';

const tmp = tempDir('echosim-doctor-');
const gpioset = fakeGpioset();
afterAll(() => {
  tmp.cleanup();
  gpioset.cleanup();
});
let homes = 0;

/** A HOME whose .asoundrc has `mic` (capture from `input`) and `out` (playback into a file). */
function alsaHome(input: Int16Array): NodeJS.ProcessEnv {
  const home = tmp.file(`home${homes++}`);
  mkdirSync(home);
  writeFileSync(`${home}/in.raw`, int16Bytes(input));
  writeFileSync(
    `${home}/.asoundrc`,
    `pcm.mic {\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n  infile "${home}/in.raw"\n  format "raw"\n}\n` +
      `pcm.out {\n  type file\n  slave.pcm "null"\n  file "${home}/out.raw"\n  format "raw"\n}\n`,
  );
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: `${home}/.config` };
}

/** A directory with a gpiomon answering --version as libgpiod v1.6.3, first on PATH (with the fake gpioset). */
function gpioToolsEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  writeFileSync(path.join(gpioset.dir, 'gpiomon'), `#!/bin/sh\n[ "$1" = "--version" ] && echo 'gpiomon (libgpiod) v1.6.3' && exit 0\nexec sleep 600\n`);
  chmodSync(path.join(gpioset.dir, 'gpiomon'), 0o755);
  const { HOME, XDG_CONFIG_HOME } = base;
  return gpioset.env('1.6.3', { ...(HOME ? { HOME } : {}), ...(XDG_CONFIG_HOME ? { XDG_CONFIG_HOME } : {}) });
}

/** A fake device tree: `nodes` are made as files under root/dev. */
function deviceTree(nodes: string[]): string {
  const root = tmp.file(`root${homes++}`);
  mkdirSync(path.join(root, 'dev'), { recursive: true });
  mkdirSync(path.join(root, 'sys'), { recursive: true });
  for (const n of nodes) writeFileSync(path.join(root, 'dev', n), '');
  return root;
}

const ctx = (env: NodeJS.ProcessEnv, root = '/'): DoctorContext => ({ env, root, timeoutMs: 10_000 });

describe('ALSA checks with the file plugin', () => {
  test('a working 4-channel capture: 1 s arrives, its level is reported', async () => {
    const row = await probeCapture('mic', 4, ctx(alsaHome(pseudoRandomInt16(4 * 16000, 5))));
    expect(row).toMatchObject({ piece: 'microphone', status: 'ok', detail: expect.stringMatching(/^alsa:mic: 1 s captured, 4 ch at 16000 Hz, peak -?\d+\.\d dBFS$/) });
  });

  test('a capture of nothing but zeros is a warning saying what to look at', async () => {
    const row = await probeCapture('mic', 2, ctx(alsaHome(new Int16Array(32000))));
    expect(row).toMatchObject({ status: 'warn', detail: expect.stringContaining('every sample is zero'), fix: expect.stringContaining('alsamixer') });
  });

  test('an unknown PCM name fails with what arecord said and how to list the names', async () => {
    await expect(probeCapture('nosuchpcm', 1, ctx(alsaHome(new Int16Array(10))))).rejects.toMatchObject({
      code: 'ALSA_CAPTURE_FAILED',
      message: expect.stringContaining('Unknown PCM nosuchpcm'),
      hint: expect.stringContaining('arecord -L'),
    });
  });

  test('no sound card (a HAT name on a machine without it) says to look at the driver', async () => {
    await expect(probeCapture('plughw:CARD=seeed4micvoicec,DEV=0', 4, ctx(alsaHome(new Int16Array(10))))).rejects.toMatchObject({
      code: 'ALSA_CAPTURE_FAILED',
      hint: expect.stringContaining('no such sound card'),
    });
  });

  test('a busy device points at the program holding it and at dsnoop', async () => {
    // A busy card cannot be made without one: a stand-in arecord says exactly what alsa-utils 1.2.8 does.
    const dir = tmp.file('busy');
    mkdirSync(dir);
    writeFileSync(`${dir}/arecord`, '#!/bin/sh\necho "arecord: main:831: audio open error: Device or resource busy" >&2\nexit 1\n');
    chmodSync(`${dir}/arecord`, 0o755);
    await expect(probeCapture('hw:1,0', 2, ctx(process.env), `${dir}/arecord`)).rejects.toMatchObject({
      message: expect.stringContaining('Device or resource busy'),
      hint: expect.stringMatching(/fuser -v \/dev\/snd.*dsnoop/),
    });
  });

  test('missing alsa-utils says which package', async () => {
    await expect(probeCapture('mic', 1, ctx({ ...process.env, PATH: tmp.dir }))).rejects.toMatchObject({ code: 'ALSA_NOT_INSTALLED', hint: expect.stringContaining('alsa-utils') });
  });

  test('the speaker plays through aplay; an unknown one fails', async () => {
    const env = alsaHome(new Int16Array(10));
    expect(await probePlayback('out', ctx(env))).toMatchObject({ status: 'ok', piece: 'speaker' });
    await expect(probePlayback('nosuchout', ctx(env))).rejects.toMatchObject({ code: 'SPEAKER_UNAVAILABLE', hint: expect.stringContaining('aplay -L') });
  });
});

const PI: Omit<DoctorTarget, 'mic'> = { model: 'echo-dot-3', channels: 4, speaker: 'alsa:out', leds: 'apa102', buttons: 'gpio', gpio: '17:action', keywords: ['alexa'] };

describe('the whole table on a fake device tree', () => {
  test('everything present: every row ok, exit status 0', async () => {
    const env = gpioToolsEnv(alsaHome(pseudoRandomInt16(4 * 16000, 9)));
    const root = deviceTree(['spidev0.1', 'gpiochip0']);
    const rows = await runDoctor({ ...PI, mic: 'alsa:mic', dataDir: tmp.file('flash') }, { root, env, loadSpiModule: async () => new FakeSpiBus() });
    expect(rows.map((r) => [r.piece, r.status])).toEqual([
      ['microphone', 'ok'],
      ['speaker', 'ok'],
      ['SPI (LED ring)', 'ok'],
      ['GPIO 5 (LED power)', 'ok'],
      ['GPIO buttons', 'ok'],
      ['wake-word models', 'ok'],
      ['data directory', 'ok'],
      ['cloud broker', 'skip'],
    ]);
    expect(doctorExitCode(rows)).toBe(0);
  });

  test('SPI off and no GPIO chip: each row fails with the words the device itself uses, and the exit status is 1', async () => {
    const env = gpioToolsEnv(alsaHome(pseudoRandomInt16(16000, 9)));
    const root = deviceTree([]);
    const rows = await runDoctor({ ...PI, mic: 'alsa:mic', channels: 1 }, { root, env, loadSpiModule: async () => new FakeSpiBus() });
    const spi = rows.find((r) => r.piece === 'SPI (LED ring)');
    // Opening the LEDs for real says the same (the real node does not exist on this machine either).
    const real = await SpiDeviceTransport.open({ module: { open: (_b, _d, _o, cb) => (setImmediate(() => cb(Object.assign(new Error(`ENOENT: no such file or directory, access '${path.join(root, '/dev/spidev0.1')}'`), { code: 'ENOENT' }))), { transfer: () => undefined, close: () => undefined }) } }).catch((e: Error & { hint?: string }) => e);
    expect(spi).toMatchObject({ status: 'fail', code: 'SPI_UNAVAILABLE', detail: expect.stringContaining('cannot open /dev/spidev0.1'), fix: (real as { hint?: string }).hint });
    expect(spi!.fix).toContain('raspi-config');
    expect(rows.find((r) => r.piece === 'GPIO buttons')).toMatchObject({ status: 'fail', code: 'GPIO_UNAVAILABLE', detail: 'cannot open GPIO chip /dev/gpiochip0: it does not exist' });
    expect(doctorExitCode(rows)).toBe(1);
    const table = renderDoctorTable(rows);
    expect(table).toMatch(/SPI \(LED ring\)\s+FAIL\s+cannot open \/dev\/spidev0\.1/);
    expect(table).toContain('what to do: enable SPI');
    expect(table).toContain('failed: fix them from the top');
  });

  test('the spi-device addon missing is its own failure, after the node opened', async () => {
    const root = deviceTree(['spidev0.1', 'gpiochip0']);
    const rows = await runDoctor({ ...PI, mic: 'synthetic:silence', speaker: 'none', buttons: 'none' }, { root, env: gpioToolsEnv(process.env), loadSpiModule: () => loadSpiDeviceModule('echosim-no-such-spi-module') });
    expect(rows.find((r) => r.piece === 'SPI (LED ring)')).toMatchObject({ status: 'fail', code: 'SPI_UNAVAILABLE', fix: expect.stringContaining('npm install spi-device'), detail: expect.stringContaining('could not be loaded') });
  });

  test('a corrupt model file fails with its checksum', async () => {
    const manifest = loadManifest();
    const dir = tmp.file('models');
    mkdirSync(dir);
    const real = resolveModelDir(manifest);
    for (const f of [manifest.features.melspectrogram.file, manifest.features.embedding.file, manifest.vad.file]) copyFileSync(path.join(real, f), path.join(dir, f));
    writeFileSync(path.join(dir, manifest.keywords.alexa!.file), 'not a model');
    const rows = await runDoctor({ model: 'echo-dot-3', mic: 'synthetic:silence', speaker: 'none', keywords: ['alexa'], modelDir: dir });
    expect(rows.find((r) => r.piece === 'wake-word models')).toMatchObject({ status: 'fail', code: 'MODEL_CHECKSUM_MISMATCH' });
  });
});

describe('the cloud checks against a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker('embedded', TEST_USERS);
  });
  afterAll(() => broker.stop());

  function secretFile(secret: string, mode = 0o600): string {
    const f = tmp.file(`secret${homes++}`);
    writeFileSync(f, `${secret}\n`, { mode });
    chmodSync(f, mode);
    return f;
  }

  test('right credentials: ok; the secret appears nowhere in the table', async () => {
    const rows = await runDoctor({ model: 'echo-dot-3', mic: 'synthetic:silence', speaker: 'none', keywords: ['alexa'], cloud: { url: broker.url, deviceId: 'dev-A', secretFile: secretFile('secret-A-0123456789') } });
    expect(rows.slice(-2).map((r) => [r.piece, r.status])).toEqual([['credentials file', 'ok'], ['cloud broker', 'ok']]);
    expect(JSON.stringify(rows)).not.toContain('secret-A-0123456789');
  });

  test('a wrong secret is MQTT_NOT_AUTHORIZED; a world-readable file is a warning', async () => {
    const rows = await runDoctor({ model: 'echo-dot-3', mic: 'synthetic:silence', speaker: 'none', keywords: ['alexa'], cloud: { url: broker.url, deviceId: 'dev-A', secretFile: secretFile('wrong-secret-0000', 0o644) } });
    expect(rows.slice(-2)).toMatchObject([
      { piece: 'credentials file', status: 'warn', fix: expect.stringContaining('chmod 600') },
      { piece: 'cloud broker', status: 'fail', code: 'MQTT_NOT_AUTHORIZED' },
    ]);
    expect(JSON.stringify(rows)).not.toContain('wrong-secret-0000');
  });

  test('nobody listening is MQTT_CONNECT_FAILED; a missing credentials file skips the connection', async () => {
    const stopped = await startTestBroker('embedded', TEST_USERS);
    const url = stopped.url;
    await stopped.stop();
    const row = await checkBroker({ url, deviceId: 'dev-A', secretFile: secretFile('secret-A-0123456789') }, ctx(process.env));
    expect(row).toMatchObject({ status: 'fail', code: 'MQTT_CONNECT_FAILED', fix: expect.stringContaining('Is the broker running') });
    const rows = await runDoctor({ model: 'echo-dot-3', mic: 'synthetic:silence', speaker: 'none', keywords: ['alexa'], cloud: { url, deviceId: 'dev-A', secretFile: tmp.file('none') } });
    expect(rows.slice(-2)).toMatchObject([{ piece: 'credentials file', status: 'fail', detail: expect.stringContaining('cannot read the secret file') }, { piece: 'cloud broker', status: 'skip' }]);
  });
});
