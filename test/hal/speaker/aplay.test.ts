/**
 * The real aplay, played into ALSA's `file` PCM plugin (no sound card): a temp HOME holds an
 * .asoundrc whose `echosimout` PCM writes what is played to a raw file through the `null` slave.
 *
 * Measured with aplay 1.2.8: the null slave does not pace, so a sound "plays" in a few ms; aplay pads
 * its last period with silence, so the file is the PCM sent, exactly, followed by zeros up to a
 * period boundary. `%r` in the file name (the rate) keeps sounds at different rates apart.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { AplayDriver, aplayArgs } from '../../../hal/speaker/aplay.js';
import { int16Bytes, pseudoRandomInt16, tempDir, until } from '../mic/helpers.js';

const tmp = tempDir('echosim-aplay-');
afterAll(() => tmp.cleanup());

let homes = 0;

function alsaHome(): { env: NodeJS.ProcessEnv; out: (rate: number) => string; dir: string } {
  const home = tmp.file(`home${homes++}`);
  mkdirSync(home);
  writeFileSync(`${home}/.asoundrc`, `pcm.echosimout {\n  type file\n  slave.pcm "null"\n  file "${home}/out.%r.raw"\n  format "raw"\n}\n`);
  return { env: { ...process.env, HOME: home, XDG_CONFIG_HOME: `${home}/.config` }, out: (rate) => `${home}/out.${rate}.raw`, dir: home };
}

/** The file as int16 samples. */
function samplesOf(file: string): Int16Array {
  const b = readFileSync(file);
  const out = new Int16Array(b.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(i * 2);
  return out;
}

/** A wrapper around the real aplay that logs when each run starts and ends, slowly enough to overlap. */
function loggingAplay(dir: string): { command: string; log: string } {
  const log = `${dir}/runs.log`;
  const command = `${dir}/aplay-logged`;
  writeFileSync(command, `#!/bin/sh\necho "start $*" >> '${log}'\nsleep 0.1\naplay "$@"\nrc=$?\necho "end $*" >> '${log}'\nexit $rc\n`);
  chmodSync(command, 0o755);
  return { command, log };
}

describe('AplayDriver', () => {
  test('runs aplay -q -t raw -f S16_LE -r RATE -c 1 [-D device]', () => {
    expect(aplayArgs(16000)).toEqual(['-q', '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1']);
    expect(aplayArgs(8000, 'plughw:CARD=seeed2micvoicec,DEV=0')).toEqual([
      '-q', '-t', 'raw', '-f', 'S16_LE', '-r', '8000', '-c', '1', '-D', 'plughw:CARD=seeed2micvoicec,DEV=0',
    ]);
  });

  test('the PCM reaches the playback device exactly (then only aplay\'s silence padding)', async () => {
    const { env, out } = alsaHome();
    const driver = new AplayDriver({ device: 'echosimout', env });
    const pcm = pseudoRandomInt16(12345, 3);
    await driver.play(pcm, 16000, 0);
    const got = samplesOf(out(16000));
    expect(got.length).toBeGreaterThanOrEqual(pcm.length);
    expect(Buffer.from(got.buffer, got.byteOffset, pcm.length * 2).equals(int16Bytes(pcm))).toBe(true);
    expect(got.subarray(pcm.length).every((v) => v === 0)).toBe(true);
    expect(got.length - pcm.length).toBeLessThan(16000 / 4);
    await driver.close();
  });

  test('sounds given while one plays queue: each aplay starts after the previous one ended', async () => {
    const { env, out, dir } = alsaHome();
    const { command, log } = loggingAplay(dir);
    const driver = new AplayDriver({ device: 'echosimout', env, command });
    const a = pseudoRandomInt16(4000, 4);
    const b = pseudoRandomInt16(3000, 5);
    await Promise.all([driver.play(a, 16000, 0), driver.play(b, 8000, 0)]);
    const runs = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ')[0] + ' ' + (l.includes('-r 16000') ? 'a' : 'b'));
    expect(runs).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(Array.from(samplesOf(out(16000)).subarray(0, a.length))).toEqual(Array.from(a));
    expect(Array.from(samplesOf(out(8000)).subarray(0, b.length))).toEqual(Array.from(b));
    await driver.close();
  });

  test('stop() kills the sound playing, drops the queue, and their promises resolve', async () => {
    const { env, dir } = alsaHome();
    const command = `${dir}/aplay-stuck`;
    writeFileSync(command, '#!/bin/sh\nexec sleep 60\n');
    chmodSync(command, 0o755);
    const driver = new AplayDriver({ env, command });
    const first = driver.play(new Int16Array(100), 16000, 0);
    const second = driver.play(new Int16Array(100), 16000, 0);
    await until(() => driver.pid !== undefined);
    const pid = driver.pid ?? 0;
    await driver.stop();
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBeUndefined();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(driver.pid).toBeUndefined();
    await driver.close();
  });

  test('an unknown device is SPEAKER_FAILED carrying what aplay said; the next sound still plays', async () => {
    const { env, out } = alsaHome();
    const bad = new AplayDriver({ device: 'nosuchpcm', env });
    await expect(bad.play(new Int16Array(10), 16000, 0)).rejects.toMatchObject({
      code: 'SPEAKER_FAILED',
      message: expect.stringContaining('Unknown PCM nosuchpcm'),
      hint: expect.stringContaining('aplay -L'),
      details: expect.objectContaining({ device: 'nosuchpcm' }),
    });
    const good = new AplayDriver({ device: 'echosimout', env });
    await good.play(Int16Array.from([1, 2, 3]), 16000, 0);
    expect(Array.from(samplesOf(out(16000)).subarray(0, 3))).toEqual([1, 2, 3]);
  });

  test('a missing aplay is SPEAKER_UNAVAILABLE with the install hint; a bad rate is refused', async () => {
    const driver = new AplayDriver({ env: { ...process.env, PATH: tmp.dir } });
    await expect(driver.play(new Int16Array(10), 16000, 0)).rejects.toMatchObject({
      code: 'SPEAKER_UNAVAILABLE',
      hint: expect.stringContaining('sudo apt install alsa-utils'),
    });
    await expect(driver.play(new Int16Array(10), 0, 0)).rejects.toMatchObject({ code: 'AUDIO_FORMAT_INVALID' });
  });

  test('after close() nothing plays', async () => {
    const { env, out } = alsaHome();
    const driver = new AplayDriver({ device: 'echosimout', env });
    await driver.close();
    await driver.play(new Int16Array(10), 16000, 0);
    expect(existsSync(out(16000))).toBe(false);
  });
});
