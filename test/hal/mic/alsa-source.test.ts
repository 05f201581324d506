/**
 * The real arecord path, fed through ALSA's `file` PCM plugin (docs/alsa-file-plugin.md#capture): a temp HOME holds an
 * .asoundrc whose `echosimtest` PCM reads a raw s16le file as its capture input. Needs alsa-utils
 * (arecord) and libasound2; no sound card.
 *
 * Measured behaviour of arecord 1.2.8 with this config: the `null` slave does not pace, so capture
 * runs as fast as the pipe is drained; the first samples equal the file exactly; at the end of the
 * file arecord does NOT stop: it keeps delivering (stale ring-buffer contents, not zeros) until killed.
 */
import { writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { AlsaSource, arecordArgs } from '../../../hal/mic/alsa-source.js';
import type { MicFrame } from '../../../hal/mic/types.js';
import { concat, int16Bytes, pseudoRandomInt16, tempDir, until } from './helpers.js';

const tmp = tempDir('echosim-alsa-');
afterAll(() => tmp.cleanup());

function alsaHome(name: string, samples: Int16Array): NodeJS.ProcessEnv {
  const home = tmp.file(name);
  mkdirSync(home);
  const infile = tmp.file(`${name}.raw`);
  writeFileSync(infile, int16Bytes(samples));
  writeFileSync(
    `${home}/.asoundrc`,
    `pcm.echosimtest {\n  type file\n  slave.pcm "null"\n  file "/dev/null"\n  infile "${infile}"\n  format "raw"\n}\n`,
  );
  return { ...process.env, HOME: home, XDG_CONFIG_HOME: `${home}/.config` };
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Captures until at least `samples` samples per channel have arrived; returns them and the source. */
async function capture(source: AlsaSource, samples: number): Promise<{ frames: MicFrame[]; ended: boolean }> {
  const frames: MicFrame[] = [];
  let have = 0;
  let ended = true;
  for await (const f of source.frames()) {
    expect(f.index).toBe(have);
    frames.push(f);
    have += f.samples.length / f.channels;
    if (have >= samples) {
      ended = false;
      break;
    }
  }
  return { frames, ended };
}

describe('AlsaSource', () => {
  it('runs arecord -D <device> -r 16000 -c <N> -f S16_LE -t raw', () => {
    expect(arecordArgs('plughw:CARD=seeed4micvoicec,DEV=0', 4)).toEqual([
      '-D', 'plughw:CARD=seeed4micvoicec,DEV=0', '-r', '16000', '-c', '4', '-f', 'S16_LE', '-t', 'raw', '-q',
    ]);
    expect(new AlsaSource().args).toEqual(arecordArgs('default', 1));
  });

  it('captures a mono file through the ALSA file plugin: the first samples are the file, exactly', async () => {
    const data = pseudoRandomInt16(12345, 21);
    const source = new AlsaSource({ device: 'echosimtest', channels: 1, env: alsaHome('mono', data) });
    expect(source.info).toEqual({ description: 'alsa:echosimtest', channels: 1, sampleRate: 16000 });
    // Read three times the file: arecord keeps going past its end.
    const { frames, ended } = await capture(source, 3 * data.length);
    expect(ended).toBe(false);
    expect(frames.every((f) => f.samples.length === 1280)).toBe(true);
    const got = concat(frames.map((f) => f.samples));
    expect(Array.from(got.subarray(0, data.length))).toEqual(Array.from(data));
  });

  it('captures 4 interleaved channels', async () => {
    const data = pseudoRandomInt16(4 * 5001, 22);
    const source = new AlsaSource({ device: 'echosimtest', channels: 4, env: alsaHome('quad', data) });
    const { frames } = await capture(source, 5001);
    expect(frames.every((f) => f.channels === 4 && f.samples.length === 4 * 1280)).toBe(true);
    const got = concat(frames.map((f) => f.samples));
    expect(Array.from(got.subarray(0, data.length))).toEqual(Array.from(data));
  });

  it('close() stops arecord and the iteration ends', async () => {
    const source = new AlsaSource({ device: 'echosimtest', env: alsaHome('close', pseudoRandomInt16(4000)) });
    const it = source.frames()[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    const pid = source.pid;
    expect(pid).toBeGreaterThan(0);
    await source.close();
    expect((await it.next()).done).toBe(true);
    await until(() => processGone(pid ?? 0));
    expect(source.pid).toBeUndefined();
  });

  it('an unknown device is ALSA_CAPTURE_FAILED carrying what arecord said', async () => {
    const source = new AlsaSource({ device: 'nosuchpcm', env: alsaHome('unknown', new Int16Array(10)) });
    const err = await capture(source, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'ALSA_CAPTURE_FAILED',
      message: expect.stringContaining('Unknown PCM nosuchpcm'),
      hint: expect.stringContaining('arecord -L'),
      details: expect.objectContaining({ exitCode: 1, device: 'nosuchpcm' }),
    });
  });

  it('a missing arecord is ALSA_NOT_INSTALLED', async () => {
    const source = new AlsaSource({ env: { ...process.env, PATH: tmp.dir } });
    await expect(capture(source, 1)).rejects.toMatchObject({
      code: 'ALSA_NOT_INSTALLED',
      hint: expect.stringContaining('sudo apt-get install alsa-utils'),
    });
  });
});
