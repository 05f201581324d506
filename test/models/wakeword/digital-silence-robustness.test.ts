import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { loadFixtures } from './fixtures.js';

/**
 * The same "Alexa, what time is it" padded with exact digital zeros (s01) and with a -70 dBFS noise
 * floor (s02): the spotter must score them alike, because real microphones always have a floor and
 * the model never saw pure zeros in training.
 */
describe('robustness to digital silence', () => {
  let models: OpenWakeWordModels;
  beforeAll(async () => {
    models = await OpenWakeWordModels.load();
  });
  afterAll(async () => models.dispose());

  const [zeros, floor] = loadFixtures('silence');

  async function scores(samples: Int16Array, guard: boolean) {
    return new OpenWakeWordEngine(models, { guardDigitalSilence: guard }).process({ index: 0, samples: Int16Array.from(samples) });
  }

  function maxDiff(a: { scores: Record<string, number> }[], b: { scores: Record<string, number> }[]): number {
    return Math.max(...a.map((s, i) => Math.abs(s.scores.alexa! - b[i]!.scores.alexa!)));
  }

  test('the fixtures differ only in the padding', () => {
    expect(zeros!.name).toContain('zeros');
    expect(floor!.name).toContain('floor');
    expect(zeros!.samples.length).toBe(floor!.samples.length);
    expect(zeros!.samples.subarray(0, 8000).every((v) => v === 0)).toBe(true);
    expect(floor!.samples.subarray(0, 8000).some((v) => v !== 0)).toBe(true);
  });

  test('zero-padded audio scores like the same audio over a -70 dBFS floor', async () => {
    const z = await scores(zeros!.samples, true);
    const f = await scores(floor!.samples, true);
    expect(z.detections).toHaveLength(1);
    expect(f.detections).toHaveLength(1);
    expect(maxDiff(z.scores, f.scores)).toBeLessThan(0.15);
    // Same word, same place: the detections agree to within one 80 ms chunk.
    expect(Math.abs(z.detections[0]!.detectedIndex - f.detections[0]!.detectedIndex)).toBeLessThanOrEqual(1280);
  });

  test('without the guard, digital silence pulls the scores away (what the guard is for)', async () => {
    const z = await scores(zeros!.samples, false);
    const f = await scores(floor!.samples, false);
    expect(maxDiff(z.scores, f.scores)).toBeGreaterThan(0.2);
  });
});
