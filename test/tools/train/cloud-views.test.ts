import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeWav16 } from '../../../hal/mic/wav-writer.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { FeatureCache } from '../../../tools/train/features/cache.js';
import { FeatureExtractor } from '../../../tools/train/features/extractor.js';
import { decodeAudio } from '../../../tools/train/real/decode.js';
import { realCloudViews, realStreams } from '../../../tools/train/real/real-features.js';
import { directorySources } from '../../../tools/train/real/sources.js';
import { recentDecoder } from '../../../tools/train/real/stream.js';

/** The real speech's cloud views (the verifier's real negatives): progress per view, the same views from the cache or made again. */
describe('real speech, cloud views', () => {
  let dir: string;
  let models: OpenWakeWordModels;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-views-'));
    const rng = new Rng(9);
    mkdirSync(path.join(dir, 'real', 'room'), { recursive: true });
    for (let i = 0; i < 5; i++) {
      const samples = Int16Array.from({ length: 16000 + 4000 * i }, (_, k) => Math.round((rng.next() - 0.5) * 4000 * (1 + Math.sin(k / (300 + 100 * i)))));
      await writeWav16(path.join(dir, 'real', 'room', `${i}.wav`), samples, 1, 16000);
    }
    models = await OpenWakeWordModels.load({ keywords: [] });
  });
  afterAll(async () => {
    await models.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('ticks once per view, made or cached, and makes the same views again from a fresh cache', async () => {
    const [source] = directorySources([path.join(dir, 'real')]);
    const extractor = new FeatureExtractor(models, 4);
    const deps = (cacheDir: string) => ({ cache: new FeatureCache(path.join(dir, cacheDir)), extractor, featureIdentity: 'test' });
    const first = deps('cache-a');
    const [stream] = await realStreams([source!], first, () => undefined);
    let ticks = 0;
    const made = await realCloudViews(stream!, 12, first, () => ticks++);
    expect(ticks).toBe(12);
    expect(made).toHaveLength(12);
    ticks = 0;
    const cached = await realCloudViews(stream!, 12, first, () => ticks++);
    expect(ticks).toBe(12);
    expect(cached).toEqual(made);
    const again = await realCloudViews(stream!, 12, deps('cache-b'), () => undefined);
    expect(again).toEqual(made);
    // The views are not all alike (they start at different places).
    expect(new Set(made.map((v) => v[v.length - 1])).size).toBeGreaterThan(1);
  }, 120_000);

  test('the recent-files decoder shares a read of a file it still remembers, and reads what decodeAudio reads', async () => {
    const file = (i: number): string => path.join(dir, 'real', 'room', `${i}.wav`);
    const decode = recentDecoder(2);
    const a = decode(file(0));
    expect(decode(file(0))).toBe(a);
    expect(await a).toEqual(await decodeAudio(file(0)));
    const reads = [decode(file(1)), decode(file(2))];
    expect(decode(file(1))).toBe(reads[0]);
    // Three other files since: file 0 was forgotten and is read again.
    reads.push(decode(file(3)));
    const again = decode(file(0));
    expect(again).not.toBe(a);
    expect(await again).toEqual(await a);
    await Promise.all(reads);
  });
});
