import { attribute, decodeOnnxModel, encodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxValueInfo } from '../onnx-proto.js';

/**
 * Batch forms of openWakeWord's per-stream models, derived at load time from the model files (never
 * stored): a fleet worker then runs one call per stage for every waiting stream instead of one call
 * per stream, which is most of what those two small models cost (onnxruntime-node's fixed cost per
 * `run`). Each stream's row goes through exactly the arithmetic of its own run;
 * test/models/wakeword/batched-graphs.test.ts holds every row to the model run alone.
 */

const ROW_AXES = [1, 2, 3];

/**
 * The melspectrogram with its 80 dB floor taken per row. The model clamps its output to 80 dB below
 * the maximum of its whole input (ReduceMax over every axis, then Clip with that scalar as the
 * minimum), so rows batched together would share one floor and a quiet stream's frames would change
 * beside a loud one. The derived graph takes the maximum over each row's own axes (keepdims, [B,1,1,1])
 * and applies it as Max(x, floor) then Min(x, ceiling): Clip's definition, with a per-row floor.
 * Undefined when the graph is not of that shape (the caller then runs one stream per call).
 */
export function rowwiseMelspectrogram(bytes: Uint8Array): Uint8Array | undefined {
  const model = decodeOnnxModel(bytes, 'melspectrogram');
  const g = model.graph;
  const reduces = g.node.filter((n) => n.opType === 'ReduceMax');
  const [reduce] = reduces;
  if (reduces.length !== 1 || !reduce || attribute(reduce, 'axes') || (attribute(reduce, 'keepdims')?.i ?? 1) !== 0) return undefined;
  if ((model.opsetImport.find((o) => !o.domain)?.version ?? 0) >= 18) return undefined; // axes became an input
  const rank = g.output[0]?.type?.tensorType?.shape?.dim?.length;
  if (rank !== 4) return undefined;
  // The floor must reach the final Clip only through elementwise ops with scalars (Sub, Cast).
  const floorPath = new Set<string>([reduce.output[0] ?? '']);
  const nodes: OnnxNode[] = [];
  let clips = 0;
  for (const node of g.node) {
    if (node === reduce) {
      nodes.push({ ...node, attribute: [{ name: 'axes', ints: ROW_AXES, type: 7 }, { name: 'keepdims', i: 1, type: 2 }] });
      continue;
    }
    const fromFloor = node.input.filter((name) => floorPath.has(name));
    if (fromFloor.length === 0) {
      nodes.push(node);
      continue;
    }
    if ((node.opType === 'Sub' || node.opType === 'Cast') && node.input.indexOf(fromFloor[0]!) === 0 && fromFloor.length === 1) {
      floorPath.add(node.output[0] ?? '');
      nodes.push(node);
      continue;
    }
    if (node.opType !== 'Clip' || node.input[1] !== fromFloor[0] || fromFloor.length !== 1 || node.output[0] !== g.output[0]?.name) return undefined;
    const [x, floor, ceiling] = node.input as [string, string, string | undefined];
    const floored = ceiling ? `${node.output[0]}__floored` : (node.output[0] as string);
    nodes.push({ opType: 'Max', name: `${node.name ?? 'clip'}__max`, input: [x, floor], output: [floored] });
    if (ceiling) nodes.push({ opType: 'Min', name: `${node.name ?? 'clip'}__min`, input: [floored, ceiling], output: [node.output[0] as string] });
    clips++;
  }
  if (clips !== 1) return undefined;
  return encodeOnnxModel({ ...model, producerName: 'echosim', graph: { ...g, name: `${g.name ?? 'melspectrogram'}_rowwise`, node: nodes } } satisfies OnnxModel);
}

/** Ops whose output rows depend only on the same input rows when the first axis is the batch. */
const ROW_OPS = new Set(['Gemm', 'Relu', 'Sigmoid', 'Tanh', 'LeakyRelu']);

/**
 * A keyword head that takes a batch: the bundled heads declare a fixed batch of 1 ([1, 16, 96] in,
 * [1, 1] out) though their graph is Flatten(axis 1) and row-wise layers (Gemm with weights as
 * initializers, activations). The derived graph declares the first axis as `batch`. Undefined for
 * any other graph (the caller then runs one stream per call).
 */
export function batchedHead(bytes: Uint8Array): Uint8Array | undefined {
  const model = decodeOnnxModel(bytes, 'keyword head');
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = g.input.filter((i) => !inits.has(i.name));
  if (inputs.length !== 1 || g.output.length !== 1) return undefined;
  for (const node of g.node) {
    if (node.opType === 'Flatten') {
      if ((attribute(node, 'axis')?.i ?? 1) !== 1) return undefined;
    } else if (node.opType === 'Gemm') {
      // Row-wise only when A is the data (not transposed) and B, C are weights.
      if ((attribute(node, 'transA')?.i ?? 0) !== 0 || !node.input.slice(1).every((name) => inits.has(name))) return undefined;
    } else if (!ROW_OPS.has(node.opType)) {
      return undefined;
    }
  }
  const batched = (info: OnnxValueInfo): OnnxValueInfo | undefined => {
    const dims = info.type?.tensorType?.shape?.dim;
    if (!dims || dims.length < 2 || dims[0]?.dimValue !== 1) return undefined;
    return { ...info, type: { tensorType: { ...info.type!.tensorType, shape: { dim: [{ dimParam: 'batch' }, ...dims.slice(1)] } } } };
  };
  const input = batched(inputs[0]!);
  const output = batched(g.output[0]!);
  if (!input || !output) return undefined;
  const keptInputs = g.input.map((i) => (i.name === input.name ? input : i));
  return encodeOnnxModel({ ...model, producerName: 'echosim', graph: { ...g, name: `${g.name ?? 'head'}_batched`, input: keptInputs, output: [output] } } satisfies OnnxModel);
}
