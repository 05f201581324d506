import { isEchosimError } from '../../../core/errors.js';
import { decodeOnnxModel } from '../../../models/onnx-proto.js';
import { Rng } from '../../../tools/bench/fuzz-rng.js';
import { WINDOW_VALUES } from '../../../tools/train/features/windows.js';
import { buildHead, headWeights } from '../../../tools/train/model/head.js';
import { headToOnnx, OPSET, verifyOnnx } from '../../../tools/train/model/onnx-export.js';
import { loadTf, type Tf } from '../../../tools/train/model/tf.js';
import { predictWindows } from '../../../tools/train/model/train-head.js';

describe('a head exported as ONNX', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = await loadTf();
  });

  test('scores as tfjs does in onnxruntime-node, with the published head architecture in opset 17', async () => {
    const model = buildHead(tf, 11);
    const rng = new Rng(2);
    const probe = Float32Array.from({ length: 16 * WINDOW_VALUES }, () => (rng.next() - 0.5) * 20);
    const expected = predictWindows(tf, model, probe);
    const bytes = headToOnnx(headWeights(model), 'test_head');
    expect(await verifyOnnx(bytes, probe, expected)).toBeLessThan(1e-5);
    const onnx = decodeOnnxModel(bytes, 'test head');
    expect(onnx.opsetImport).toEqual([{ domain: '', version: OPSET }]);
    expect(onnx.graph.node.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'LayerNormalization', 'Relu', 'Gemm', 'LayerNormalization', 'Relu', 'Gemm', 'Sigmoid']);
    expect(bytes.length).toBeGreaterThan(190_000);
    expect(bytes.length).toBeLessThan(220_000);
    model.dispose();
  });

  test('is refused when it does not score as the trained head did', async () => {
    const model = buildHead(tf, 12);
    const probe = new Float32Array(4 * WINDOW_VALUES).fill(1);
    const expected = predictWindows(tf, model, probe).map((x) => x + 0.01);
    let err: unknown;
    try {
      await verifyOnnx(headToOnnx(headWeights(model), 'test_head'), probe, expected);
    } catch (e) {
      err = e;
    }
    expect(isEchosimError(err, 'TRAIN_EXPORT_MISMATCH')).toBe(true);
    model.dispose();
  });
});
