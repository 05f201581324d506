import { readFileSync } from 'node:fs';
import { probeWav } from '../../../hal/mic/wav-header.js';
import { WavSinkDriver } from '../../../hal/speaker/wav-sink.js';
import { pseudoRandomInt16, sine, tempDir, toneAmplitude } from '../mic/helpers.js';

const tmp = tempDir('echosim-wavsink-');
afterAll(() => tmp.cleanup());

/** The samples of a 16-bit mono WAV, with its header checked. */
function readWav(path: string): Int16Array {
  const h = probeWav(path);
  expect([h.channels, h.sampleRate, h.bitsPerSample, h.formatTag]).toEqual([1, 16000, 16, 1]);
  const b = readFileSync(path).subarray(h.dataOffset + 8, h.dataOffset + 8 + h.dataBytes);
  const out = new Int16Array(b.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(i * 2);
  return out;
}

describe('WavSinkDriver', () => {
  test('each sound starts at its atMs on a 16 kHz timeline, with silence between', async () => {
    const path = tmp.file('timeline.wav');
    const sink = new WavSinkDriver(path);
    const a = pseudoRandomInt16(800, 1);
    const b = pseudoRandomInt16(400, 2);
    await sink.play(a, 16000, 100);
    await sink.play(b, 16000, 250);
    await sink.close();
    const got = readWav(path);
    expect(got.length).toBe(4000 + 400);
    expect(got.subarray(0, 1600).every((v) => v === 0)).toBe(true);
    expect(Array.from(got.subarray(1600, 2400))).toEqual(Array.from(a));
    expect(got.subarray(2400, 4000).every((v) => v === 0)).toBe(true);
    expect(Array.from(got.subarray(4000))).toEqual(Array.from(b));
  });

  test('overlapping sounds mix, clipped to int16', async () => {
    const sink = new WavSinkDriver(tmp.file('mix.wav'));
    await sink.play(Int16Array.from([1000, 30000, -30000, 5]), 16000, 0);
    // One sample later (0.0625 ms at 16 kHz).
    await sink.play(Int16Array.from([5000, -5000, 10, 7]), 16000, 0.0625);
    expect(Array.from(sink.timeline())).toEqual([1000, 32767, -32768, 15, 7]);
  });

  test('stop(atMs) cuts what is sounding there and drops sounds after it', async () => {
    const sink = new WavSinkDriver(tmp.file('stop.wav'));
    await sink.play(new Int16Array(1600).fill(100), 16000, 0);
    await sink.play(new Int16Array(1600).fill(7), 16000, 80);
    await sink.play(new Int16Array(16).fill(9), 16000, 200);
    await sink.stop(50);
    const t = sink.timeline();
    expect(t.length).toBe(800);
    expect(t.every((v) => v === 100)).toBe(true);
  });

  test('an origin: sample 0 is that clock time; sound before it is cut off', async () => {
    const sink = new WavSinkDriver(tmp.file('origin.wav'), { originMs: 1000 });
    await sink.play(Int16Array.from([1, 2, 3, 4]), 16000, 1000 - 0.125);
    await sink.play(Int16Array.from([9]), 16000, 1001);
    expect(Array.from(sink.timeline())).toEqual([3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
  });

  test('sounds at other rates are resampled to 16 kHz (a 440 Hz tone stays 440 Hz, same duration)', async () => {
    const sink = new WavSinkDriver(tmp.file('rate.wav'));
    const tone = Int16Array.from(sine(22050, 440, 22050, 10000), (v) => Math.round(v));
    await sink.play(tone, 22050, 0);
    const t = sink.timeline();
    expect(t.length).toBe(16000);
    const mid = Array.from(t.subarray(2000, 14000));
    expect(toneAmplitude(mid, 440, 16000)).toBeGreaterThan(9900);
    expect(toneAmplitude(mid, 440, 16000)).toBeLessThan(10100);
  });

  test('close with nothing played writes an empty WAV; a closed sink refuses sounds', async () => {
    const path = tmp.file('empty.wav');
    const sink = new WavSinkDriver(path);
    await sink.close();
    expect(readWav(path).length).toBe(0);
    await expect(sink.play(new Int16Array(1), 16000, 0)).rejects.toMatchObject({ code: 'SPEAKER_FAILED' });
    await expect(sink.play(new Int16Array(1), 16000.5, 0)).rejects.toMatchObject({ code: 'AUDIO_FORMAT_INVALID' });
  });
});
