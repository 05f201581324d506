import { PorcupineEngine } from '../../../models/wakeword/porcupine-engine.js';

describe('PorcupineEngine (opt-in)', () => {
  const saved = process.env.PICOVOICE_ACCESS_KEY;
  beforeEach(() => {
    delete process.env.PICOVOICE_ACCESS_KEY;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.PICOVOICE_ACCESS_KEY = saved;
  });

  test('without an AccessKey it refuses, saying how to get one and that the default engine needs none', async () => {
    await expect(PorcupineEngine.create()).rejects.toMatchObject({
      code: 'PORCUPINE_ACCESS_KEY_MISSING',
      hint: expect.stringMatching(/console\.picovoice\.ai[\s\S]*openWakeWord, needs no key/),
    });
  });

  test('a malformed AccessKey is a clear PORCUPINE_UNAVAILABLE error, not a crash', async () => {
    await expect(PorcupineEngine.create({ accessKey: 'not-a-real-key' })).rejects.toMatchObject({
      code: 'PORCUPINE_UNAVAILABLE',
      message: expect.stringContaining('AccessKey'),
    });
  });

  test('an unknown built-in keyword lists the ones Porcupine has', async () => {
    await expect(PorcupineEngine.create({ accessKey: 'x', keywords: ['hey echo'] })).rejects.toMatchObject({
      code: 'MODEL_UNKNOWN',
      hint: expect.stringContaining('computer'),
    });
  });
});
