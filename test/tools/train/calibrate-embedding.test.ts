import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifest } from '../../../models/manifest.js';
import { loadEmbeddingRanges } from '../../../models/wakeword/embedding-ranges.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { calibrateEmbedding, FLOAT_CONVOLUTIONS } from '../../../tools/train/calibrate-embedding.js';

/**
 * `echosim train calibrate-embedding` reads only the training split of the folders it is given, and
 * writes a calibration the int8 embedding loads.
 */
const FIX = path.join(process.cwd(), 'test', 'fixtures', 'wakeword');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'echosim-calibrate-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('calibrates on the training sources only and writes ranges the int8 embedding loads', async () => {
  const audio = path.join(tmp, 'speech');
  // Two sources: sorted by name they alternate validation (a-held), training (b-used).
  for (const [sub, files] of [['a-held', ['p01-flite-slt-clean.wav', 'p02-espeak-en-gb-clean.wav']], ['b-used', ['p03-flite-awb-clean.wav', 'p05-flite-kal-clean.wav']]] as const) {
    mkdirSync(path.join(audio, sub), { recursive: true });
    for (const f of files) copyFileSync(path.join(FIX, 'pos', f), path.join(audio, sub, f));
  }
  const out = path.join(tmp, 'ranges.json');
  const seen: number[] = [];
  const r = await calibrateEmbedding({ audio: [audio], maxClips: 10, out, recipe: 'npx echosim train calibrate-embedding --audio speech', progress: (done) => seen.push(done) });
  expect(r.sources).toEqual(['speech/b-used']);
  expect(r.clips).toBe(2);
  expect(seen).toEqual([1, 2]);
  const loaded = loadEmbeddingRanges(loadManifest().features.embedding, out);
  expect(Object.keys(loaded.convolutions)).toHaveLength(20);
  expect(loaded.floatConvolutions).toEqual(FLOAT_CONVOLUTIONS);
  expect(loaded.windows).toBeGreaterThan(10);
  for (const { input, output } of Object.values(loaded.convolutions)) {
    expect(input[0]).toBeLessThanOrEqual(input[1]);
    expect(output[1] - output[0]).toBeGreaterThan(0);
  }
  // the mel features (x/10 + 2) are the first convolution's input
  const first = Object.values(loaded.convolutions)[0]!;
  expect(first.input[0]).toBeGreaterThan(-10);
  expect(first.input[1]).toBeLessThan(20);
  const models = await OpenWakeWordModels.load({ embedding: 'int8', embeddingRangesFile: out });
  expect(models.precision).toBe('int8');
  await models.dispose();
}, 60_000);

test('a single source is all validation: nothing to calibrate on, and it says so', async () => {
  const one = path.join(tmp, 'one');
  mkdirSync(one, { recursive: true });
  copyFileSync(path.join(FIX, 'pos', 'p01-flite-slt-clean.wav'), path.join(one, 'a.wav'));
  await expect(calibrateEmbedding({ audio: [one], maxClips: 10, out: path.join(tmp, 'none.json'), recipe: 'x' })).rejects.toMatchObject({ code: 'TRAIN_INPUT_INVALID' });
});
