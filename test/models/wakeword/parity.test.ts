import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { DEFAULT_MODEL_DIR, ReferenceOpenWakeWord, makeSeedNoise, scoreClip } from '../reference/oww-reference.js';
import { loadFixtures } from './fixtures.js';

/**
 * The production engine (ring buffers, preallocated tensors, shared feature stream) must give the
 * same per-chunk scores as a plain transcription of the reference streaming algorithm, within 0.01.
 */
const TOLERANCE = 0.01;

describe('openWakeWord engine parity with the reference pipeline', () => {
  const noise = makeSeedNoise(7);
  let models: OpenWakeWordModels;
  let reference: ReferenceOpenWakeWord;

  beforeAll(async () => {
    models = await OpenWakeWordModels.load({ keywords: ['alexa', 'hey_jarvis'], seedNoise: noise });
  });
  afterAll(async () => models.dispose());

  const fixtures = [...loadFixtures('pos'), ...loadFixtures('neg'), ...loadFixtures('silence').filter((f) => !f.name.includes('zeros'))];

  test.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, fixture) => {
    reference = await ReferenceOpenWakeWord.create({ modelDir: DEFAULT_MODEL_DIR, keywords: ['alexa', 'hey_jarvis'], seedNoise: noise });
    const ref = await scoreClip(fixture.samples, { model: reference });

    const engine = new OpenWakeWordEngine(models);
    const { scores } = await engine.process({ index: 0, samples: fixture.samples });
    expect(scores.length).toBeGreaterThanOrEqual(ref.chunks);

    let worst = 0;
    for (const kw of ['alexa', 'hey_jarvis']) {
      const expected = ref.scores[kw]!;
      expected.forEach((want, i) => {
        const got = scores[i]!.scores[kw]!;
        worst = Math.max(worst, Math.abs(got - want));
      });
    }
    expect(worst).toBeLessThan(TOLERANCE);
    // The comparison must cover real activity, not only the zeroed warm-up chunks.
    expect(ref.chunks).toBeGreaterThan(20);
  });

  test('feeding odd-sized frames gives the same scores as whole chunks', async () => {
    const clip = loadFixtures('pos')[0]!.samples;
    const whole = await new OpenWakeWordEngine(models).process({ index: 0, samples: clip });
    const engine = new OpenWakeWordEngine(models);
    const pieces: number[] = [];
    for (let at = 0, step = 333; at < clip.length; at += step, step = step === 333 ? 1000 : 333) {
      const r = await engine.process({ index: at, samples: clip.subarray(at, Math.min(clip.length, at + step)) });
      pieces.push(...r.scores.map((s) => s.scores.alexa!));
    }
    expect(pieces).toEqual(whole.scores.map((s) => s.scores.alexa!));
  });
});
