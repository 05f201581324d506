import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadManifest } from '../../../models/manifest.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { planClips, type Plan } from '../../../tools/train/data/plan.js';
import { syntheticFeatures } from '../../../tools/train/data/synthetic.js';
import { FeatureCache } from '../../../tools/train/features/cache.js';
import { FeatureExtractor } from '../../../tools/train/features/extractor.js';
import { hashOf } from '../../../tools/train/hash.js';
import { Synthesizer, type SpeechRequest } from '../../../tools/train/tts/synthesizer.js';
import { discoverVoices } from '../../../tools/train/tts/voices.js';

class CountingSynthesizer extends Synthesizer {
  said: string[] = [];
  override async synthesize(requests: readonly SpeechRequest[]): Promise<Int16Array[]> {
    this.said.push(...requests.map((r) => r.text));
    return super.synthesize(requests);
  }
}

/** A re-run computes only what changed: cached clips need neither TTS nor features. */
describe('the synthetic feature cache', () => {
  let dir: string;
  let models: OpenWakeWordModels;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'echosim-train-cache-'));
    models = await OpenWakeWordModels.load({ keywords: [] });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await models.dispose();
  });

  test('a second run reads every clip from the cache; a changed clip alone is made again', async () => {
    const voices = discoverVoices().voices.filter((v) => v.engine === 'espeak-ng');
    const full = planClips({ word: 'computer', voices, nearMisses: ['commuter'], seed: 3, scale: 0.001 });
    const plan: Plan = { ...full, recipes: full.recipes.filter((r) => r.kind !== 'near-miss' && r.condition.background.kind !== 'babble').slice(0, 5) };
    const deps = (synthesizer: Synthesizer) => ({
      cache: new FeatureCache(dir),
      extractor: new FeatureExtractor(models, 4),
      synthesizer,
      featureIdentity: hashOf(loadManifest().features),
      ttsVersions: { 'espeak-ng': 'test' },
    });
    const first = new CountingSynthesizer();
    const a = await syntheticFeatures(plan, deps(first), () => undefined);
    expect(first.said.length).toBeGreaterThanOrEqual(5);

    const second = new CountingSynthesizer();
    const b = await syntheticFeatures(plan, deps(second), () => undefined);
    expect(second.said).toEqual([]);
    expect(b).toEqual(a);

    const changed: Plan = { ...plan, recipes: plan.recipes.map((r, i) => (i === 2 && r.speech ? { ...r, speech: { ...r.speech, text: 'Something else entirely.' } } : r)) };
    const third = new CountingSynthesizer();
    const c = await syntheticFeatures(changed, deps(third), () => undefined);
    expect(third.said).toContain('Something else entirely.');
    expect(third.said.length).toBeLessThanOrEqual(3);
    expect(c.filter((x, i) => i !== 2)).toEqual(a.filter((x, i) => i !== 2));
    for (const s of [first, second, third]) s.close();
  }, 180_000);
});
