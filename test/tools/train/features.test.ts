import { keywordEntryFor, loadManifest, readVerifiedModel, resolveModelDir } from '../../../models/manifest.js';
import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { HeadRunner } from '../../../tools/train/eval/head-runner.js';
import { FeatureExtractor } from '../../../tools/train/features/extractor.js';
import { chunkCount } from '../../../tools/train/features/windows.js';
import { loadFixtures } from '../../models/wakeword/fixtures.js';

/**
 * Training features are the runtime features: the extractor's embeddings, assembled into windows
 * and scored by the bundled alexa head, give the scores the device's engine gives on the same clip,
 * chunk by chunk, also when the clip shares its batches with other streams.
 */
describe('the training feature path', () => {
  let models: OpenWakeWordModels;
  let runner: HeadRunner;
  beforeAll(async () => {
    models = await OpenWakeWordModels.load({ keywords: ['alexa'] });
    const manifest = loadManifest();
    runner = await HeadRunner.load(await readVerifiedModel(resolveModelDir(manifest), keywordEntryFor(manifest, 'alexa')), 'alexa');
  });
  afterAll(async () => {
    await runner.dispose();
    await models.dispose();
  });

  test('equals the engine on a clip, chunk by chunk', async () => {
    const [clip, other, third] = loadFixtures('pos');
    const engine = new OpenWakeWordEngine(models);
    const { scores } = await engine.process({ index: 0, samples: clip!.samples });
    await engine.dispose();
    const extractor = new FeatureExtractor(models, 3);
    // Pieces of odd sizes, and two other streams in the same batches.
    const pieces = [clip!.samples.subarray(0, 1000), clip!.samples.subarray(1000, 20000), clip!.samples.subarray(20000)];
    const [embeddings, otherEmbeddings] = await extractor.embed([pieces, [other!.samples], [third!.samples]]);
    expect(chunkCount(embeddings!)).toBe(scores.length);
    expect(chunkCount(otherEmbeddings!)).toBe(Math.floor(other!.samples.length / 1280));
    const trained = await runner.scoreSequence(models.seedFeatures, embeddings!);
    let worst = 0;
    scores.forEach((s, t) => (worst = Math.max(worst, Math.abs(s.scores.alexa! - trained[t]!))));
    expect(Math.max(...scores.map((s) => s.scores.alexa!))).toBeGreaterThan(0.5);
    expect(worst).toBeLessThan(1e-4);
  });
});
