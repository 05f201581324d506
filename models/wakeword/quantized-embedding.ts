import { EchosimError } from '../../core/errors.js';
import { decodeOnnxModel, encodeOnnxModel, type OnnxNode, type OnnxTensor, TENSOR_FLOAT } from '../onnx-proto.js';
import type { EmbeddingRanges, TensorRange } from './embedding-ranges.js';

const TENSOR_UINT8 = 2;
const TENSOR_INT8 = 3;
const TENSOR_INT32 = 6;
/** QuantizeLinear/DequantizeLinear with a per-axis scale (the weights' per-channel scales) need opset 13. */
const MIN_OPSET = 13;

/**
 * The streaming embedding step (streaming-embedding.ts) with its convolutions in int8: static
 * quantization in onnxruntime's QDQ form. Each quantized convolution reads its input through
 * QuantizeLinear -> DequantizeLinear (uint8, one scale from the calibrated range), its weights as int8
 * with one scale per output channel, its bias as int32 at input scale x weight scale, and writes its
 * output through QuantizeLinear -> DequantizeLinear; onnxruntime's graph optimizer (level 'all', as
 * models/onnx.ts sets) fuses each such group into one QLinearConv. The activations between
 * convolutions stay float, so the caches a step hands to the next are float as before.
 *
 * Static scales, not dynamic: a batched step serves many streams at once, and a scale taken from the
 * batch (DynamicQuantizeLinear) would let a loud stream change a quiet stream's embedding. The scales
 * come from a calibration file (embedding-ranges.ts), checked against the model it was made for.
 *
 * `floatConvs` lists the convolutions (0-based, in the chain's order; negative counts from the end)
 * kept in float: the first ones read the mel features directly, where 8-bit steps cost the most
 * accuracy and the work is smallest, and the last one writes the embedding itself.
 */
export function quantizeEmbeddingStep(step: Uint8Array, ranges: EmbeddingRanges, floatConvs: readonly number[]): Uint8Array {
  const model = decodeOnnxModel(step, 'embedding (step)');
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const convCount = g.node.filter((n) => n.opType === 'Conv').length;
  const keep = new Set(floatConvs.map((i) => (i < 0 ? convCount + i : i)));
  const added: OnnxTensor[] = [];
  const replaced = new Set<string>();
  const nodes: OnnxNode[] = [];
  let index = -1;
  for (const node of g.node) {
    if (node.opType !== 'Conv') {
      nodes.push(node);
      continue;
    }
    index++;
    if (keep.has(index)) {
      nodes.push(node);
      continue;
    }
    const [x, wName, bName] = node.input;
    const y = node.output[0];
    const weights = inits.get(wName ?? '');
    const range = ranges.convolutions[wName ?? ''];
    if (!x || !y || !weights || !range) {
      throw new EchosimError('MODEL_RANGES_INVALID', `the int8 calibration has no range for convolution ${node.name ?? index} (${wName ?? 'no weights'})`, {
        hint: 'Make the calibration again for this model: echosim train calibrate-embedding (docs/wake-word.md, "The int8 embedding").',
      });
    }
    const id = `q${index}`;
    const input = qparams(range.input);
    const output = qparams(range.output);
    const w = floatsOf(weights);
    const channels = weights.dims[0] ?? 0;
    const perChannel = w.length / channels;
    const wScales = new Float32Array(channels);
    const wq = new Int8Array(w.length);
    for (let o = 0; o < channels; o++) {
      let max = 0;
      for (let k = 0; k < perChannel; k++) max = Math.max(max, Math.abs(w[o * perChannel + k]!));
      const s = max / 127 || Number.EPSILON;
      wScales[o] = s;
      for (let k = 0; k < perChannel; k++) wq[o * perChannel + k] = clamp(Math.round(w[o * perChannel + k]! / s), -127, 127);
    }
    const bias = bName ? floatsOf(inits.get(bName) ?? refuseBias(bName)) : new Float32Array(channels);
    const bScales = wScales.map((s) => s * input.scale);
    const bq = Int32Array.from(bias, (v, o) => Math.round(v / bScales[o]!));
    added.push(
      scalarFloat(`${id}_x_scale`, input.scale),
      scalarUint8(`${id}_x_zero`, input.zero),
      raw(`${id}_w`, weights.dims, TENSOR_INT8, new Uint8Array(wq.buffer)),
      raw(`${id}_w_scale`, [channels], TENSOR_FLOAT, new Uint8Array(wScales.buffer)),
      raw(`${id}_w_zero`, [channels], TENSOR_INT8, new Uint8Array(channels)),
      raw(`${id}_b`, [channels], TENSOR_INT32, new Uint8Array(bq.buffer)),
      raw(`${id}_b_scale`, [channels], TENSOR_FLOAT, new Uint8Array(Float32Array.from(bScales).buffer)),
      raw(`${id}_b_zero`, [channels], TENSOR_INT32, new Uint8Array(channels * 4)),
      scalarFloat(`${id}_y_scale`, output.scale),
      scalarUint8(`${id}_y_zero`, output.zero),
    );
    replaced.add(wName ?? '');
    if (bName) replaced.add(bName);
    const axis0 = [{ name: 'axis', i: 0, type: 2 }];
    nodes.push(
      { opType: 'QuantizeLinear', name: `${id}_quantize_x`, input: [x, `${id}_x_scale`, `${id}_x_zero`], output: [`${id}_xq`] },
      { opType: 'DequantizeLinear', name: `${id}_dequantize_x`, input: [`${id}_xq`, `${id}_x_scale`, `${id}_x_zero`], output: [`${id}_xf`] },
      { opType: 'DequantizeLinear', name: `${id}_dequantize_w`, input: [`${id}_w`, `${id}_w_scale`, `${id}_w_zero`], output: [`${id}_wf`], attribute: axis0 },
      { opType: 'DequantizeLinear', name: `${id}_dequantize_b`, input: [`${id}_b`, `${id}_b_scale`, `${id}_b_zero`], output: [`${id}_bf`], attribute: axis0 },
      { ...node, input: [`${id}_xf`, `${id}_wf`, `${id}_bf`], output: [`${id}_y`] },
      { opType: 'QuantizeLinear', name: `${id}_quantize_y`, input: [`${id}_y`, `${id}_y_scale`, `${id}_y_zero`], output: [`${id}_yq`] },
      { opType: 'DequantizeLinear', name: `${id}_dequantize_y`, input: [`${id}_yq`, `${id}_y_scale`, `${id}_y_zero`], output: [y] },
    );
  }
  const used = new Set(nodes.flatMap((n) => n.input));
  return encodeOnnxModel({
    ...model,
    opsetImport: model.opsetImport.map((o) => (!o.domain && (o.version ?? 0) < MIN_OPSET ? { ...o, version: MIN_OPSET } : o)),
    graph: {
      ...g,
      name: `${g.name ?? 'embedding'}_int8`,
      node: nodes,
      initializer: [...g.initializer.filter((t) => !replaced.has(t.name) || used.has(t.name)), ...added],
    },
  });
}

/** Asymmetric uint8 parameters covering [lo, hi] and zero (zero must be exact: padding is zeros). */
export function qparams([lo, hi]: TensorRange): { scale: number; zero: number } {
  const min = Math.min(lo, 0);
  const max = Math.max(hi, 0);
  const scale = (max - min) / 255 || Number.EPSILON;
  return { scale, zero: clamp(Math.round(-min / scale), 0, 255) };
}

function floatsOf(t: OnnxTensor): Float32Array {
  if (t.floatData?.length) return Float32Array.from(t.floatData);
  if (t.dataType !== TENSOR_FLOAT || !t.rawData) throw new EchosimError('MODEL_NOT_QUANTIZABLE', `tensor ${t.name} is not a float tensor`, { hint: 'echosim runs the float embedding instead.' });
  return new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
}

function refuseBias(name: string): never {
  throw new EchosimError('MODEL_NOT_QUANTIZABLE', `convolution bias ${name} is not an initializer`, { hint: 'echosim runs the float embedding instead.' });
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
const raw = (name: string, dims: number[], dataType: number, rawData: Uint8Array): OnnxTensor => ({ name, dims, dataType, rawData });
const scalarFloat = (name: string, v: number): OnnxTensor => raw(name, [], TENSOR_FLOAT, new Uint8Array(Float32Array.of(v).buffer));
const scalarUint8 = (name: string, v: number): OnnxTensor => raw(name, [], TENSOR_UINT8, Uint8Array.of(v));
