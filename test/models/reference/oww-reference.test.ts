import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MODEL_DIR,
  ReferenceAudioFeatures,
  ReferenceOpenWakeWord,
  makeSeedNoise,
  mulberry32,
  scoreClip,
} from './oww-reference.js';
import { readFixtureLabels } from './labels.js';
import { readWav16kMono } from './wav.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures');

function noiseChunk(seed: number, length = 1280): Int16Array {
  return makeSeedNoise(seed, length);
}

describe('makeSeedNoise / mulberry32', () => {
  it('matches the canonical mulberry32 sequence', () => {
    // bryc's mulberry32, seed 0: first uint32 outputs / 2^32
    const rng = mulberry32(0);
    const firstU32 = [rng(), rng(), rng()].map((u) => Math.round(u * 4294967296));
    expect(firstU32).toEqual([1144304738, 1416247, 958946056]);
  });

  it('is deterministic, in [-1000, 1000), 64000 long by default', () => {
    const a = makeSeedNoise(0);
    const b = makeSeedNoise(0);
    expect(a.length).toBe(64000);
    expect(Array.from(a.subarray(0, 8))).toEqual([-468, -1000, -554, -708, -66, 90, 230, 297]);
    expect(Array.from(makeSeedNoise(42, 8))).toEqual([202, -104, 704, 339, -651, 53, -454, 249]);
    expect(a).toEqual(b);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(min).toBe(-1000);
    expect(max).toBe(999);
    expect(Math.abs(sum / a.length + 0.5)).toBeLessThan(10); // uniform on [-1000, 999]: mean -0.5
    expect(makeSeedNoise(1)).not.toEqual(a);
  });
});

describe('ReferenceAudioFeatures', () => {
  let features: ReferenceAudioFeatures;

  beforeAll(async () => {
    features = await ReferenceAudioFeatures.create({ modelDir: DEFAULT_MODEL_DIR, seedNoise: makeSeedNoise(0) });
  });

  it('starts with 76 mel frames of ones, 41 seed embeddings of 96, an empty raw buffer', () => {
    const fresh = features;
    expect(fresh.melspectrogramBuffer).toHaveLength(76);
    expect(fresh.melspectrogramBuffer.every((row) => row.length === 32 && row.every((v) => v === 1))).toBe(true);
    expect(fresh.featureBuffer).toHaveLength(41);
    expect(fresh.featureBuffer.every((row) => row.length === 96)).toBe(true);
    expect(fresh.rawDataBuffer).toHaveLength(0);
  });

  it('melspectrogram: 1280 samples give 5 frames, 1760 give 8, 64000 give 397, with x/10+2 applied', async () => {
    expect(await features.getMelspectrogram(noiseChunk(1, 1280))).toHaveLength(5);
    expect(await features.getMelspectrogram(noiseChunk(1, 1760))).toHaveLength(8);
    const long = await features.getMelspectrogram(makeSeedNoise(0));
    expect(long).toHaveLength(397);
    expect(long.every((row) => row.length === 32 && row.every(Number.isFinite))).toBe(true);
  });

  it('streams: first chunk adds 5 mel frames, later chunks 8, one embedding per chunk', async () => {
    const f = await ReferenceAudioFeatures.create({ modelDir: DEFAULT_MODEL_DIR, seedNoise: makeSeedNoise(0) });
    expect(await f.streamingFeatures(noiseChunk(10))).toBe(1280);
    expect(f.rawDataBuffer).toHaveLength(1280);
    expect(f.melspectrogramBuffer).toHaveLength(76 + 5);
    expect(f.featureBuffer).toHaveLength(42);
    await f.streamingFeatures(noiseChunk(11));
    expect(f.melspectrogramBuffer).toHaveLength(76 + 5 + 8);
    expect(f.featureBuffer).toHaveLength(43);
  });

  it('keeps the remainder of a chunk that is not a multiple of 1280 (Python _streaming_features)', async () => {
    const f = await ReferenceAudioFeatures.create({ modelDir: DEFAULT_MODEL_DIR, seedNoise: makeSeedNoise(0) });
    expect(await f.streamingFeatures(noiseChunk(20, 1000))).toBe(1000); // below 1280: buffered only
    expect(f.melspectrogramBuffer).toHaveLength(76);
    expect(await f.streamingFeatures(noiseChunk(21, 1000))).toBe(1280); // 280 used, 720 kept back
    expect(f.rawDataBuffer).toHaveLength(1280);
    expect(f.rawDataRemainder).toHaveLength(720);
    expect(f.melspectrogramBuffer).toHaveLength(81);
    expect(f.featureBuffer).toHaveLength(42);
    // two chunks at once: one melspectrogram call of 2560+480 samples, two embeddings
    expect(await f.streamingFeatures(noiseChunk(22, 1840))).toBe(2560);
    expect(f.rawDataRemainder).toHaveLength(0);
    expect(f.melspectrogramBuffer).toHaveLength(81 + 16);
    expect(f.featureBuffer).toHaveLength(44);
  });

  it('trims the feature buffer to 120 and the mel buffer to 970', async () => {
    const f = await ReferenceAudioFeatures.create({ modelDir: DEFAULT_MODEL_DIR, seedNoise: makeSeedNoise(0) });
    for (let k = 0; k < 120; k++) await f.streamingFeatures(noiseChunk(100 + k));
    expect(f.featureBuffer).toHaveLength(120);
    expect(f.melspectrogramBuffer).toHaveLength(970); // 76 + 5 + 119*8 = 1033 -> 970
    expect(f.rawDataBuffer).toHaveLength(120 * 1280);
  });
});

describe('ReferenceOpenWakeWord', () => {
  it('zeroes the first 5 scores and keeps every score in [0, 1]', async () => {
    const m = await ReferenceOpenWakeWord.create({
      modelDir: DEFAULT_MODEL_DIR,
      keywords: ['alexa', 'hey_jarvis'],
      seedNoise: makeSeedNoise(0),
    });
    const alexa: number[] = [];
    for (let k = 0; k < 40; k++) {
      const p = await m.predict(noiseChunk(200 + k));
      expect(Object.keys(p).sort()).toEqual(['alexa', 'hey_jarvis']);
      for (const v of Object.values(p)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      alexa.push(p.alexa!);
    }
    expect(alexa.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(alexa.slice(5).some((v) => v > 0)).toBe(true);
    expect(m.predictionBuffer.get('alexa')).toHaveLength(30); // deque(maxlen=30)
    m.reset();
    expect((await m.predict(noiseChunk(999))).alexa).toBe(0); // prediction buffer forgotten
  });

  it('rejects an unknown keyword like Python', async () => {
    await expect(
      ReferenceOpenWakeWord.create({ modelDir: DEFAULT_MODEL_DIR, keywords: ['hey_siri'], seedNoise: makeSeedNoise(0) }),
    ).rejects.toThrow(/Could not find pretrained model/);
  });

  it('is deterministic for the same seed noise and depends on it', async () => {
    const clip = makeSeedNoise(7, 1280 * 12);
    const a = await scoreClip(clip, { seedNoise: makeSeedNoise(3) });
    const b = await scoreClip(clip, { seedNoise: makeSeedNoise(3) });
    const c = await scoreClip(clip, { seedNoise: makeSeedNoise(4) });
    expect(a.scores.alexa).toEqual(b.scores.alexa);
    expect(c.scores.alexa).not.toEqual(a.scores.alexa);
  });
});

describe('scoreClip', () => {
  it('transcribes range(0, len-1280, 1280): drops a partial chunk, and the last full one at exact multiples', async () => {
    const m = await ReferenceOpenWakeWord.create({ modelDir: DEFAULT_MODEL_DIR, keywords: ['alexa'], seedNoise: makeSeedNoise(0) });
    expect((await scoreClip(new Int16Array(1280 * 10), { model: m })).chunks).toBe(9);
    expect((await scoreClip(new Int16Array(1280 * 10 + 1), { model: m })).chunks).toBe(10);
    expect((await scoreClip(new Int16Array(1280 * 10 - 1), { model: m })).chunks).toBe(9);
    expect((await scoreClip(new Int16Array(1280), { model: m })).chunks).toBe(0);
    // Python's default padding of 1 s each side
    expect((await scoreClip(new Int16Array(1280 * 10), { model: m, padSeconds: 1 })).chunks).toBe(34);
  });

});

// The committed fixtures (tools/fixtures/make-wakeword-fixtures.sh), scored by the reference with
// makeSeedNoise(0), no padding. These pin what test/fixtures/README.md reports.

async function alexaScores(path: string): Promise<number[]> {
  const { scores } = await scoreClip(readWav16kMono(readFileSync(path)), { seedNoise: makeSeedNoise(0) });
  return scores.alexa!;
}

const WAKEWORD = join(FIXTURES, 'wakeword');
const describeFixtures = existsSync(join(WAKEWORD, 'pos', 'labels.tsv')) ? describe : describe.skip;

describeFixtures('reference on the committed fixtures', () => {
  it('labels every positive with a plausible "Alexa" span', () => {
    const labels = readFixtureLabels(join(WAKEWORD, 'pos'));
    expect(labels.size).toBe(16);
    for (const [file, { startS, endS, text }] of labels) {
      expect(existsSync(join(WAKEWORD, 'pos', file))).toBe(true);
      expect(startS).toBeGreaterThanOrEqual(0.8);
      expect(startS).toBeLessThanOrEqual(1.5);
      expect(endS - startS).toBeGreaterThan(0.3);
      expect(endS - startS).toBeLessThan(0.8);
      expect(text.startsWith('Alexa, ')).toBe(true);
    }
  });

  it('detects every positive (>= 0.5), first crossing between the labelled start and end + 600 ms', async () => {
    const dir = join(WAKEWORD, 'pos');
    for (const [file, { startS, endS }] of readFixtureLabels(dir)) {
      const s = await alexaScores(join(dir, file));
      const first = s.findIndex((v) => v >= 0.5);
      expect({ file, detected: first >= 0 }).toEqual({ file, detected: true });
      const firstEndS = ((first + 1) * 1280) / 16000;
      expect(firstEndS).toBeGreaterThan(startS);
      expect(firstEndS).toBeLessThan(endS + 0.6);
    }
  });

  // Near misses the bundled alexa model accepts (reported in test/fixtures/README.md): "Alexis" in both
  // voices, and "a lexicon" in flite rms (0.58, and only at this seed and chunk phase).
  const KNOWN_FALSE_ACCEPTS = new Set([
    'n05-alexis-flite-awb-clean.wav',
    'n06-alexis-espeak-en-brown12.wav',
    'n07-lexicon-flite-rms-clean.wav',
  ]);

  it('stays below 0.5 on the other negatives', async () => {
    const dir = join(WAKEWORD, 'neg');
    const labels = readFixtureLabels(dir);
    expect(labels.size).toBe(12);
    for (const file of labels.keys()) {
      if (KNOWN_FALSE_ACCEPTS.has(file)) continue;
      const max = Math.max(...(await alexaScores(join(dir, file))));
      expect({ file, max: max < 0.5 }).toEqual({ file, max: true });
    }
  });

  it('silence pair: identical speech samples, exact zeros vs a -70 dBFS floor elsewhere', async () => {
    const dir = join(WAKEWORD, 'silence');
    const zeros = readWav16kMono(readFileSync(join(dir, 's01-alexa-what-time-digital-zeros.wav')));
    const floor = readWav16kMono(readFileSync(join(dir, 's02-alexa-what-time-floor-70dbfs.wav')));
    expect(zeros.length).toBe(floor.length);
    const label = readFixtureLabels(dir).get('s01-alexa-what-time-digital-zeros.wav')!;
    const lead = Math.round(label.startS * 16000);
    let leadSquares = 0;
    for (let i = 0; i < lead; i++) {
      expect(zeros[i]).toBe(0);
      leadSquares += floor[i]! ** 2;
    }
    const leadDbfs = 20 * Math.log10(Math.sqrt(leadSquares / lead) / 32768);
    expect(leadDbfs).toBeGreaterThan(-71);
    expect(leadDbfs).toBeLessThan(-69);
    for (let i = 0; i < zeros.length; i++) {
      if (zeros[i] !== 0) expect(floor[i]).toBe(zeros[i]);
    }
    expect(Math.max(...(await alexaScores(join(dir, 's01-alexa-what-time-digital-zeros.wav'))))).toBeGreaterThan(0.5);
    expect(Math.max(...(await alexaScores(join(dir, 's02-alexa-what-time-floor-70dbfs.wav'))))).toBeGreaterThan(0.5);
  });

  it('detects "Alexa" in the demo fixture near its labelled end', async () => {
    const dir = join(FIXTURES, 'demo');
    const label = readFixtureLabels(dir).get('alexa-demo.wav');
    expect(label).toBeDefined();
    const s = await alexaScores(join(dir, 'alexa-demo.wav'));
    const peak = s.indexOf(Math.max(...s));
    expect(s[peak]).toBeGreaterThan(0.5);
    const peakOffsetMs = (peak + 1) * 80 - label!.endS * 1000;
    expect(Math.abs(peakOffsetMs)).toBeLessThan(600);
  });
});
