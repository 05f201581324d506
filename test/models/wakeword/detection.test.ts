import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import type { WakeWordDetection } from '../../../models/wakeword/types.js';
import { loadFixtures, type Fixture } from './fixtures.js';

/**
 * "Alexa, ..." spoken by several espeak-ng and flite voices, clean and in pink, brown and babble
 * noise, through the production engine at its default settings (threshold 0.5, patience 1).
 */
describe('wake-word detection on the committed fixtures', () => {
  let models: OpenWakeWordModels;
  beforeAll(async () => {
    models = await OpenWakeWordModels.load();
  });
  afterAll(async () => models.dispose());

  async function detect(f: Fixture): Promise<WakeWordDetection[]> {
    return new OpenWakeWordEngine(models).feed({ index: 0, samples: f.samples });
  }

  const positives = loadFixtures('pos');

  test('the positive set has several voices, clean and noisy', () => {
    const engines = new Set(positives.map((f) => f.name.split('-')[1]));
    expect(engines).toEqual(new Set(['flite', 'espeak']));
    expect(positives.filter((f) => f.name.includes('clean')).length).toBeGreaterThanOrEqual(6);
    expect(positives.filter((f) => /pink|brown|babble/.test(f.name)).length).toBeGreaterThanOrEqual(6);
  });

  test.each(positives.map((f) => [f.name, f] as const))('%s: detected at the labelled wake word', async (_n, f) => {
    const dets = await detect(f);
    const label = f.label!;
    // Fires after the word has begun and within 600 ms of its end.
    const atWord = (x: WakeWordDetection): boolean => x.detectedIndex / 16000 > label.startS && x.detectedIndex / 16000 < label.endS + 0.6;
    const d = dets.find(atWord);
    expect(d).toBeDefined();
    if (!d) return;
    expect(d.keyword).toBe('alexa');
    expect(d.score).toBeGreaterThanOrEqual(0.5);
    // Nothing else fires, except possibly the cold-start transient: in the first second after a
    // start the head still sees the seed history (as in the reference), and loud babble can push
    // it over the threshold once. A device starts its spotter long before anyone speaks.
    for (const other of dets.filter((x) => x !== d)) expect(other.detectedIndex).toBeLessThanOrEqual(16000);
    // Estimated boundaries near the labels.
    expect(Math.abs(d.beginIndex / 16000 - label.startS)).toBeLessThan(0.3);
    expect(Math.abs(d.endIndex / 16000 - label.endS)).toBeLessThan(0.25);
    expect(d.endIndex).toBeGreaterThan(d.beginIndex);
  });

  const nearMisses = loadFixtures('neg').filter((f) => /-(alex|election)-/.test(f.name));
  const ordinary = loadFixtures('neg').filter((f) => /^n(09|1\d)-/.test(f.name));

  test('the near-miss set holds "Alex" and "election" in several voices', () => {
    expect(nearMisses.map((f) => f.name.split('-')[1])).toEqual(['alex', 'alex', 'election', 'election']);
  });

  test.each([...nearMisses, ...ordinary].map((f) => [f.name, f] as const))('%s: no detection', async (_n, f) => {
    expect(await detect(f)).toEqual([]);
  });

  test('synthetic silence at a -70 dBFS floor never fires', async () => {
    const { SyntheticSource } = await import('../../../hal/mic/synthetic-source.js');
    const source = new SyntheticSource({ kind: 'silence', durationSeconds: 30, fast: true });
    const engine = new OpenWakeWordEngine(models);
    const found: WakeWordDetection[] = [];
    for await (const frame of source.frames()) found.push(...(await engine.feed({ index: frame.index, samples: frame.samples })));
    expect(found).toEqual([]);
  });
});
