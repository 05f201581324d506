import { OpenWakeWordEngine } from '../../../models/wakeword/openwakeword-engine.js';
import { OpenWakeWordModels } from '../../../models/wakeword/oww-models.js';
import { SpotterPool } from '../../../models/wakeword/spotter-pool.js';
import { loadFixtures } from './fixtures.js';

/**
 * Engines on a worker pool must spot exactly what engines in this thread spot: same scores, same
 * detections, for streams fed at the same time (so the workers really batch them).
 */
describe('SpotterPool', () => {
  let pool: SpotterPool;
  let models: OpenWakeWordModels;

  beforeAll(async () => {
    [pool, models] = await Promise.all([SpotterPool.start({ workers: 2 }), OpenWakeWordModels.load()]);
  });
  afterAll(async () => {
    await pool.close();
    await models.dispose();
  });

  async function run(engine: OpenWakeWordEngine, samples: Int16Array): Promise<{ scores: number[]; detections: number[] }> {
    const scores: number[] = [];
    const detections: number[] = [];
    for (let at = 0; at < samples.length; at += 1600) {
      const r = await engine.process({ index: at, samples: samples.subarray(at, at + 1600) });
      scores.push(...r.scores.map((s) => s.scores.alexa!));
      detections.push(...r.detections.map((d) => d.endIndex));
    }
    return { scores, detections };
  }

  test('scores concurrent streams on its workers exactly as the models do in this thread', async () => {
    expect(pool.size).toBe(2);
    expect(pool.heads.map((h) => h.keyword)).toEqual(['alexa']);
    const clips = [...loadFixtures('pos').slice(0, 4), ...loadFixtures('neg').slice(0, 2)];
    const pooled = clips.map(() => new OpenWakeWordEngine(pool));
    expect(pool.load).toEqual([3, 3]);
    const [onPool, inThread] = await Promise.all([
      Promise.all(clips.map((c, i) => run(pooled[i]!, c.samples))),
      Promise.all(clips.map((c) => run(new OpenWakeWordEngine(models), c.samples))),
    ]);
    clips.forEach((_, i) => {
      expect(onPool[i]!.detections).toEqual(inThread[i]!.detections);
      expect(onPool[i]!.scores).toHaveLength(inThread[i]!.scores.length);
      onPool[i]!.scores.forEach((s, k) => expect(Math.abs(s - inThread[i]!.scores[k]!)).toBeLessThan(1e-5));
    });
    expect(onPool.filter((r) => r.detections.length > 0).length).toBeGreaterThanOrEqual(3);
    await Promise.all(pooled.map((e) => e.dispose()));
    expect(pool.load).toEqual([0, 0]);
  });

  test('a stream reset on the pool starts afresh, as in this thread', async () => {
    const [clip] = loadFixtures('pos');
    const pooled = new OpenWakeWordEngine(pool);
    const local = new OpenWakeWordEngine(models);
    const first = await run(pooled, clip!.samples);
    pooled.reset();
    local.reset();
    const again = await run(pooled, clip!.samples);
    expect(again).toEqual(first);
    expect((await run(local, clip!.samples)).detections).toEqual(first.detections);
    await pooled.dispose();
  });

  test('spreads each model over its workers on its own, as a fleet opens a VAD and a scorer per device', async () => {
    const withVad = await SpotterPool.start({ workers: 2, vad: true });
    try {
      const devices = Array.from({ length: 4 }, () => ({ vad: withVad.openVad(), engine: new OpenWakeWordEngine(withVad) }));
      expect(withVad.loadOf('vad')).toEqual([2, 2]);
      expect(withVad.loadOf('wakeword')).toEqual([2, 2]);
      expect(withVad.load).toEqual([4, 4]);
      // A stream closed on one worker: the next one of that model goes there.
      devices[0]!.vad.close?.();
      const closedOn = withVad.loadOf('vad').indexOf(1);
      withVad.openVad();
      expect(withVad.loadOf('vad')).toEqual([2, 2]);
      expect(closedOn).toBeGreaterThanOrEqual(0);
      await Promise.all(devices.map((d) => d.engine.dispose()));
    } finally {
      await withVad.close();
    }
  });

  test('refuses a pool without workers, and a model it cannot load, leaving no thread behind', async () => {
    await expect(SpotterPool.start({ workers: 0 })).rejects.toMatchObject({ code: 'CLI_ARGUMENT_INVALID' });
    await expect(SpotterPool.start({ workers: 1, keywords: ['jarvis'] })).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
  });
});
