import { EchosimError } from '../../../core/errors.js';
import { createSession, ort, outputData, runSession } from '../../../models/onnx.js';
import { decodeOnnxModel, encodeOnnxModel, floatValueInfo, TENSOR_FLOAT, type OnnxNode, type OnnxTensor } from '../../../models/onnx-proto.js';
import { EMBEDDING_DIM } from '../../../models/wakeword/oww-models.js';
import { HEAD_WINDOW, WINDOW_VALUES } from '../features/windows.js';
import { LAYER_NORM_EPSILON, type HeadWeights } from './head.js';

/** ONNX opset the heads use (LayerNormalization is in the default domain from 17). */
export const OPSET = 17;
const IR_VERSION = 8;
/** AttributeProto.AttributeType values. */
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
/** Largest |ONNX - tfjs| allowed on the probe batch before a head is written. */
export const EXPORT_TOLERANCE = 1e-4;

/**
 * A trained head as an ONNX model: input `x` [batch, 16, 96] -> Flatten -> (Gemm -> LayerNormalization
 * -> Relu) x 2 -> Gemm -> Sigmoid -> `score` [batch, 1], float32 weights as raw data. Gemm takes the
 * Keras kernel [in, out] as it is (transB = 0).
 */
export function headToOnnx(weights: HeadWeights, docName: string): Uint8Array {
  const initializer: OnnxTensor[] = [];
  const node: OnnxNode[] = [{ opType: 'Flatten', name: 'flatten', input: ['x'], output: ['flat'], attribute: [{ name: 'axis', i: 1, type: ATTR_INT }] }];
  const tensors = [...weights.tensors];
  let current = 'flat';
  for (let layer = 0; tensors.length > 0; layer++) {
    const kernel = tensors.shift()!;
    const bias = tensors.shift();
    if (kernel.shape.length !== 2 || !bias) throw new EchosimError('TRAIN_FAILED', `unexpected weights ${kernel.name} for an ONNX head`);
    initializer.push(floatTensor(`dense${layer}.kernel`, kernel.shape, kernel.data), floatTensor(`dense${layer}.bias`, bias.shape, bias.data));
    node.push({ opType: 'Gemm', name: `dense${layer}`, input: [current, `dense${layer}.kernel`, `dense${layer}.bias`], output: [`dense${layer}`] });
    current = `dense${layer}`;
    if (tensors[0] && tensors[0].shape.length === 1 && tensors[0].shape[0] === kernel.shape[1]) {
      const gamma = tensors.shift()!;
      const beta = tensors.shift()!;
      initializer.push(floatTensor(`norm${layer}.scale`, gamma.shape, gamma.data), floatTensor(`norm${layer}.bias`, beta.shape, beta.data));
      node.push({
        opType: 'LayerNormalization',
        name: `norm${layer}`,
        input: [current, `norm${layer}.scale`, `norm${layer}.bias`],
        output: [`norm${layer}`],
        attribute: [
          { name: 'axis', i: -1, type: ATTR_INT },
          { name: 'epsilon', f: LAYER_NORM_EPSILON, type: ATTR_FLOAT },
        ],
      });
      node.push({ opType: 'Relu', name: `relu${layer}`, input: [`norm${layer}`], output: [`relu${layer}`] });
      current = `relu${layer}`;
    }
  }
  node.push({ opType: 'Sigmoid', name: 'sigmoid', input: [current], output: ['score'] });
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    producerName: 'echosim train wakeword',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: docName,
      node,
      initializer,
      input: [floatValueInfo('x', ['batch', HEAD_WINDOW, EMBEDDING_DIM])],
      output: [floatValueInfo('score', ['batch', 1])],
    },
  });
}

/**
 * Runs the ONNX head with onnxruntime-node on a probe batch and compares with what tfjs gave for it;
 * returns the largest difference, or throws TRAIN_EXPORT_MISMATCH past EXPORT_TOLERANCE (then the
 * head is not written).
 */
export async function verifyOnnx(bytes: Uint8Array, probe: Float32Array, expected: Float32Array): Promise<number> {
  decodeOnnxModel(bytes, 'trained head');
  const session = await createSession(bytes, 'trained head');
  try {
    const n = probe.length / WINDOW_VALUES;
    const out = outputData(await runSession(session, { x: new ort.Tensor('float32', probe, [n, HEAD_WINDOW, EMBEDDING_DIM]) }, 'trained head'), 'score');
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i]! - expected[i]!));
    if (!(worst <= EXPORT_TOLERANCE)) {
      throw new EchosimError('TRAIN_EXPORT_MISMATCH', `the ONNX head differs from the trained one by ${worst.toExponential(2)} on the probe batch`, {
        hint: 'this is a bug in the export; the head was not written',
        details: { worst },
      });
    }
    return worst;
  } finally {
    await session.release();
  }
}

function floatTensor(name: string, dims: readonly number[], data: Float32Array): OnnxTensor {
  const copy = Float32Array.from(data);
  return { name, dims: [...dims], dataType: TENSOR_FLOAT, rawData: new Uint8Array(copy.buffer) };
}
