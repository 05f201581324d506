import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { WakeWordRegistry } from '../../../models/wakeword/registry.js';
import { SpotterPool } from '../../../models/wakeword/spotter-pool.js';
import type { ScorerSource } from '../../../models/wakeword/scorer.js';
import { loadFixtures } from './fixtures.js';

/**
 * Switching a stream's word keeps its feature history: the features do not depend on the word, so
 * from the switch on the new head scores exactly what it would have scored had it run from the start,
 * with no warm-up. Checked against an engine running both heads all along, in this thread and on a
 * worker pool where streams on the same worker spot different words.
 */
describe('switching the word of a running stream', () => {
  const registry = WakeWordRegistry.load();
  const alexa = registry.head('alexa');
  const jarvis = registry.head('hey_jarvis');
  const [clip] = loadFixtures('pos');
  const samples = clip!.samples;
  const switchAt = 12 * 1280; // after the reference's five zeroed predictions

  async function scores(engine: OpenWakeWordEngine, keyword: string, switchTo?: () => Promise<void>): Promise<number[]> {
    const out: number[] = [];
    for (let at = 0; at + 1280 <= samples.length; at += 1280) {
      if (at === switchAt && switchTo) await switchTo();
      const r = await engine.process({ index: at, samples: samples.subarray(at, at + 1280) });
      for (const s of r.scores) out.push(s.scores[keyword] ?? Number.NaN);
    }
    return out;
  }

  async function checkOn(source: OpenWakeWordModels | ScorerSource, both: OpenWakeWordModels): Promise<void> {
    const reference = await scores(new OpenWakeWordEngine(both), 'hey_jarvis');
    const engine = new OpenWakeWordEngine(source, { keywords: ['alexa'] });
    expect(engine.keywords).toEqual(['alexa']);
    const switched = await scores(engine, 'hey_jarvis', async () => {
      await engine.loadKeywords([jarvis]);
      engine.useKeywords([jarvis]);
      expect(engine.nextKeywords).toEqual(['hey_jarvis']);
    });
    expect(engine.keywords).toEqual(['hey_jarvis']);
    const k = switchAt / 1280;
    expect(switched.slice(0, k).every((s) => Number.isNaN(s))).toBe(true);
    switched.slice(k).forEach((s, i) => expect(Math.abs(s - reference[k + i]!)).toBeLessThan(1e-5));
    await engine.dispose();
  }

  let both: OpenWakeWordModels;
  beforeAll(async () => {
    both = await OpenWakeWordModels.load({ heads: [alexa, jarvis] });
  });
  afterAll(async () => both.dispose());

  test('in this thread: the new head scores at once on the shared history, as if it had run all along', async () => {
    const models = await OpenWakeWordModels.load({ heads: [alexa] });
    try {
      expect(models.keywords).toEqual(['alexa']);
      await checkOn(models, both);
      expect(models.keywords).toEqual(['alexa', 'hey_jarvis']);
    } finally {
      await models.dispose();
    }
  });

  test('on a worker pool: the head is loaded on every worker, and streams of one worker spot different words', async () => {
    const pool = await SpotterPool.start({ workers: 2, heads: [alexa] });
    try {
      await checkOn(pool, both);
      expect(pool.keywords).toEqual(['alexa', 'hey_jarvis']);
      // Two streams side by side, one per word, on the same pool.
      const a = new OpenWakeWordEngine(pool, { keywords: ['alexa'] });
      const j = new OpenWakeWordEngine(pool, { keywords: ['hey_jarvis'] });
      const [ra, rj] = await Promise.all([scores(a, 'alexa'), scores(j, 'hey_jarvis')]);
      const ref = await scores(new OpenWakeWordEngine(both), 'alexa');
      ra.forEach((s, i) => expect(Math.abs(s - ref[i]!)).toBeLessThan(1e-5));
      expect(rj.length).toBe(ra.length);
      await Promise.all([a.dispose(), j.dispose()]);
    } finally {
      await pool.close();
    }
  });

  test('a head that is not loaded cannot be switched to; a keyword taken by another file is refused', async () => {
    const models = await OpenWakeWordModels.load({ heads: [alexa] });
    try {
      const engine = new OpenWakeWordEngine(models);
      expect(() => engine.useKeywords([jarvis])).toThrow(expect.objectContaining({ code: 'MODEL_UNKNOWN' }));
      await expect(models.ensureHeads([{ ...jarvis, keyword: 'alexa' }])).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/already loaded/) });
      expect(engine.keywords).toEqual(['alexa']);
    } finally {
      await models.dispose();
    }
  });
});
