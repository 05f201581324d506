import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DoaAccumulator, DoaEstimator, type DoaEstimate } from '../../../../firmware/audio/doa/doa-estimator.js';
import { MultichannelHistory } from '../../../../firmware/audio/doa/multichannel-history.js';
import { deviceModel } from '../../../../firmware/device-model.js';
import { isEchosimError } from '../../../../core/errors.js';
import { SpatialSource } from '../../../../hal/mic/spatial-source.js';
import { SyntheticSource } from '../../../../hal/mic/synthetic-source.js';
import { spatialize } from '../../../../hal/mic/talker.js';
import type { MicFrame } from '../../../../hal/mic/types.js';
import { WavSource } from '../../../../hal/mic/wav-source.js';
import { readFixtureLabels } from '../../../models/reference/labels.js';
import { readWav16kMono } from '../../../models/reference/wav.js';

const DEMO_DIR = path.join(process.cwd(), 'test', 'fixtures', 'demo');
const DEMO = path.join(DEMO_DIR, 'alexa-demo.wav');
const voice = readWav16kMono(readFileSync(DEMO));

/** The active speech: 20 ms blocks above -50 dBFS; its RMS and the span from the first to the last. */
function activeSpeech(x: Int16Array): { rms: number; first: number; end: number } {
  let e = 0;
  let n = 0;
  let first = -1;
  let end = 0;
  for (let s = 0; s + 320 <= x.length; s += 320) {
    let b = 0;
    for (let i = s; i < s + 320; i++) b += x[i]! * x[i]!;
    if (Math.sqrt(b / 320) > 32768 * 10 ** (-50 / 20)) {
      e += b;
      n += 320;
      if (first < 0) first = s;
      end = s + 320;
    }
  }
  return { rms: Math.sqrt(e / n), first, end };
}
const speech = activeSpeech(voice);
/** Independent noise per mic 20 dB below the speech. */
const NOISE_20DB = speech.rms / 10;
/** The utterance "Alexa, what's the weather like today?" with 100 ms either side (noise only there). */
const utterance = voice.subarray(speech.first - 1600, speech.end + 1600);

function circularDistance(a: number, b: number): number {
  const d = (((a - b) % 360) + 360) % 360;
  return Math.min(d, 360 - d);
}

/** The ring LED (12 at 360 k / 12 degrees) nearest an azimuth. */
function nearestLed(azimuthDeg: number): number {
  return Math.round(azimuthDeg / 30) % 12;
}

/** 80 ms interleaved frames of an interleaved signal, as a mic source delivers them. */
function frames(x: Int16Array, channels: number, frameSamples = 1280): MicFrame[] {
  const n = x.length / channels;
  const out: MicFrame[] = [];
  for (let s = 0; s < n; s += frameSamples) {
    out.push({ index: s, samples: x.subarray(s * channels, Math.min(n, s + frameSamples) * channels), channels });
  }
  return out;
}

function deinterleave(x: Int16Array, channels: number): Int16Array[] {
  const n = x.length / channels;
  return Array.from({ length: channels }, (_, c) => Int16Array.from({ length: n }, (_, i) => x[i * channels + c]!));
}

const ANGLES = [...Array.from({ length: 12 }, (_, k) => 30 * k), 37, 101.5, 222.5, 359];

describe.each(['echo-dot-3', 'echo-2', 'trio-8800'])('DoaEstimator on %s: real speech at 20 dB SNR', (id) => {
  const model = deviceModel(id);
  const C = model.micPositions.length;
  const estimator = new DoaEstimator(model.micPositions);
  const acc = new DoaAccumulator(estimator);

  it.each(ANGLES)('a talker at %f deg: within 15 deg over the utterance, and the ring lights the right LED or a neighbour', (az) => {
    const x = spatialize(utterance, model.micPositions, az, { noiseRms: NOISE_20DB, seed: 1000 + Math.round(az * 10) });
    acc.reset();
    for (const f of frames(x, C)) acc.addFrame(f);
    const got = acc.result();
    expect(got).toBeDefined();
    const { azimuthDeg, confidence } = got!;
    expect(azimuthDeg).toBeGreaterThanOrEqual(0);
    expect(azimuthDeg).toBeLessThan(360);
    expect(circularDistance(azimuthDeg, az)).toBeLessThanOrEqual(15);
    const ledOff = Math.abs(nearestLed(azimuthDeg) - nearestLed(az));
    expect(Math.min(ledOff, 12 - ledOff)).toBeLessThanOrEqual(1);
    expect(confidence).toBeGreaterThan(0.05);
    expect(confidence).toBeLessThanOrEqual(1);
  });

  it('estimate() of the whole utterance as one block agrees too', () => {
    const x = spatialize(utterance, model.micPositions, 290, { noiseRms: NOISE_20DB, seed: 3 });
    const got = estimator.estimate(deinterleave(x, C));
    expect(circularDistance(got!.azimuthDeg, 290)).toBeLessThanOrEqual(15);
  });
});

describe('DoaEstimator', () => {
  const dot = deviceModel('echo-dot-3').micPositions;
  const estimator = new DoaEstimator(dot);

  it('the device flow: a talker source, a 3 s multichannel history, the wake word span read back and accumulated', async () => {
    const label = readFixtureLabels(DEMO_DIR).get('alexa-demo.wav')!;
    const source = new SpatialSource(new WavSource(DEMO, { fast: true }), dot, 250, { noiseRms: NOISE_20DB, seed: 8 });
    const history = new MultichannelHistory(4);
    const begin = Math.round(label.startS * 16000);
    const end = Math.round(label.endS * 16000);
    let result: DoaEstimate | undefined;
    for await (const f of source.frames()) {
      history.write(f);
      if (history.writeIndex >= end + 2560) {
        // The spotter reports the word a little after it ends; its audio is still held.
        const acc = new DoaAccumulator(estimator);
        const span = history.read(begin, end)!;
        for (let s = 0; s < end - begin; s += 1280) acc.add(span.map((c) => c.subarray(s, Math.min(end - begin, s + 1280))));
        result = acc.result();
        break;
      }
    }
    await source.close();
    expect(circularDistance(result!.azimuthDeg, 250)).toBeLessThanOrEqual(15);
  });

  it('clean speech is near full confidence; noise with no talker is near none', () => {
    const clean = spatialize(voice, dot, 75);
    const talker = estimator.estimate(deinterleave(clean, 4))!;
    expect(circularDistance(talker.azimuthDeg, 75)).toBeLessThan(2);
    expect(talker.confidence).toBeGreaterThan(0.9);
    const room = spatialize(new Int16Array(32000), dot, 0, { noiseRms: 1000, seed: 2 });
    const diffuse = estimator.estimate(deinterleave(room, 4));
    expect(diffuse === undefined || diffuse.confidence < 0.05).toBe(true);
  });

  it('fewer than two channels: undefined', () => {
    const x = spatialize(voice, dot, 90);
    const mono = deinterleave(x, 4)[0]!;
    expect(estimator.estimate([mono])).toBeUndefined();
    expect(estimator.estimate([])).toBeUndefined();
    expect(estimator.estimateFrame({ index: 0, samples: mono.subarray(24000, 25280), channels: 1 })).toBeUndefined();
    // A one-mic device has nothing to compare.
    const single = new DoaEstimator([{ x: 0, y: 0 }]);
    expect(single.estimate([mono])).toBeUndefined();
    expect(new DoaAccumulator(single).result()).toBeUndefined();
  });

  it('silence (a -70 dBFS floor, or digital zeros): undefined, so a quiet room points nowhere', async () => {
    const src = new SyntheticSource({ channels: 4, fast: true, durationSeconds: 3, seed: 3 });
    const acc = new DoaAccumulator(estimator);
    for await (const f of src.frames()) acc.addFrame(f);
    expect(acc.frames).toBe(0);
    expect(acc.result()).toBeUndefined();
    const zeros = Array.from({ length: 4 }, () => new Int16Array(16000));
    expect(estimator.estimate(zeros)).toBeUndefined();
    // The lead-in of the demo (1.5 s at -70 dBFS) is silence too, even through the talker filter.
    expect(estimator.estimate(deinterleave(spatialize(voice.subarray(0, 20000), dot, 10), 4))).toBeUndefined();
  });

  it('the same signal on every channel (a mono file copied to the array) has no azimuth: undefined', () => {
    const copies = Array.from({ length: 4 }, () => voice);
    expect(estimator.estimate(copies)).toBeUndefined();
  });

  it('accumulates across blocks and starts afresh after reset()', () => {
    const acc = new DoaAccumulator(estimator);
    const a = spatialize(utterance, dot, 20, { noiseRms: NOISE_20DB, seed: 1 });
    const b = spatialize(utterance, dot, 200, { noiseRms: NOISE_20DB, seed: 2 });
    for (const f of frames(a, 4)) acc.addFrame(f);
    const frameCount = acc.frames;
    expect(frameCount).toBeGreaterThan(60);
    expect(circularDistance(acc.result()!.azimuthDeg, 20)).toBeLessThanOrEqual(15);
    acc.reset();
    expect(acc.frames).toBe(0);
    expect(acc.result()).toBeUndefined();
    for (const f of frames(b, 4)) acc.addFrame(f);
    expect(acc.frames).toBe(frameCount);
    expect(circularDistance(acc.result()!.azimuthDeg, 200)).toBeLessThanOrEqual(15);
  });

  it('rejects a channel count that does not match the array, with a stable code and a hint', () => {
    let err: unknown;
    try {
      estimator.estimate(deinterleave(spatialize(voice, dot.slice(0, 3), 0), 3));
    } catch (e) {
      err = e;
    }
    expect(isEchosimError(err, 'AUDIO_FORMAT_INVALID')).toBe(true);
    expect((err as { hint: string }).hint).toMatch(/--channels 4/);
  });

  it('the candidate grid divides 360 degrees; bad options are rejected', () => {
    expect(new DoaEstimator(dot, { gridStepDeg: 5 }).gridStepDeg).toBe(5);
    expect(new DoaEstimator(dot, { gridStepDeg: 7 }).gridStepDeg).toBeCloseTo(360 / 51, 12);
    expect(() => new DoaEstimator(dot, { gridStepDeg: 0 })).toThrow(RangeError);
    expect(() => new DoaEstimator([{ x: Number.NaN, y: 0 }, { x: 0, y: 0 }])).toThrow(RangeError);
  });
});
