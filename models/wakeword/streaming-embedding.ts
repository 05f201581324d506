import { EchosimError } from '../../core/errors.js';
import { createSession, type ort } from '../onnx.js';
import {
  attribute,
  decodeOnnxModel,
  encodeOnnxModel,
  floatValueInfo,
  int64Tensor,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  TENSOR_INT64,
} from '../onnx-proto.js';

/** One cached slice of activations: the last `rows` time rows of a time convolution's input. */
export interface CacheSpec {
  /** Step-graph input holding the previous rows. */
  readonly input: string;
  /** Output of both graphs holding the rows the next step needs. */
  readonly output: string;
  readonly channels: number;
  readonly rows: number;
  readonly width: number;
}

export interface StreamingEmbeddingGraphs {
  /** Mel frames one step consumes: the window's shift between two chunks. */
  readonly stepFrames: number;
  readonly caches: readonly CacheSpec[];
  readonly inputName: string;
  readonly outputName: string;
  /** The original model over the whole window, also returning the caches for that window. */
  readonly window: Uint8Array;
  /** One step: `stepFrames` new mel frames plus the caches in; the embedding and the next caches out. */
  readonly step: Uint8Array;
}

const ELEMENTWISE_UNARY = new Set(['LeakyRelu', 'Relu', 'Sigmoid', 'Tanh', 'Identity']);
const ELEMENTWISE_SCALAR = new Set(['Max', 'Min', 'Add', 'Sub', 'Mul', 'Div']);
const END = 1_000_000_000;

/**
 * Derives a streaming form of openWakeWord's embedding model. The model is a chain of convolutions
 * that are "valid" along time, elementwise activations and max pools whose time stride equals their
 * time kernel. When the 76-frame window slides by 8 frames, every activation row that depends only on
 * frames both windows share is unchanged, so a step needs only the new rows: each time convolution
 * keeps its last kernel-1 input rows as a cache, and an 8-frame step computes 8, 4, 2, then 1 new
 * rows instead of the whole window. The arithmetic per output is the same as the full model's, so
 * the embedding matches it to float rounding (test/models/wakeword/streaming-embedding.test.ts).
 *
 * Any graph outside this shape is refused with MODEL_NOT_STREAMABLE; callers then run the full model.
 */
export function buildStreamingEmbedding(bytes: Uint8Array, stepFrames: number): StreamingEmbeddingGraphs {
  const model = decodeOnnxModel(bytes, 'embedding');
  const g = model.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const inputs = g.input.filter((i) => !inits.has(i.name));
  const [input] = inputs;
  const [output] = g.output;
  if (!input || inputs.length !== 1 || !output || g.output.length !== 1) refuse('it does not have exactly one input and one output');
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  const windowFrames = dims[1]?.dimValue;
  const bins = dims[2]?.dimValue;
  if (dims.length !== 4 || !windowFrames || !bins || dims[3]?.dimValue !== 1) refuse('its input is not [batch, frames, bins, 1]');

  const stepNodes: OnnxNode[] = [];
  const windowNodes: OnnxNode[] = [];
  const extraInits: OnnxTensor[] = [];
  const caches: CacheSpec[] = [];
  let current = input.name;
  let rows = windowFrames; // rows of the full window at this point of the chain
  let newRows = stepFrames; // rows a step computes at this point
  let width = bins;
  let channels = 1;

  g.node.forEach((node, index) => {
    const chained = node.input.filter((name) => !inits.has(name));
    if (chained.length !== 1 || chained[0] !== current || node.output.length !== 1) refuse(`node ${node.name ?? index} is not part of a single chain`);
    const out = node.output[0] as string;
    let stepNode: OnnxNode = node;
    switch (node.opType) {
      case 'Reshape': {
        const shape = intsOf(inits.get(node.input[1] ?? ''));
        if (index === 0) {
          if (shape.join() !== [-1, 1, windowFrames, bins].join()) refuse('its first reshape is not to [batch, 1, frames, bins]');
          const name = `${out}__step_shape`;
          extraInits.push(int64Tensor(name, [-1, 1, stepFrames, bins]));
          stepNode = { ...node, input: [current, name] };
        } else if (index !== g.node.length - 1 || rows !== 1) {
          refuse('it reshapes in the middle of the chain');
        }
        break;
      }
      case 'Conv': {
        const weights = inits.get(node.input[1] ?? '');
        const [cout, cin, kh, kw] = weights?.dims ?? [];
        const pads = attribute(node, 'pads')?.ints ?? [0, 0, 0, 0];
        const ones = (name: string): boolean => (attribute(node, name)?.ints ?? [1, 1]).every((v) => v === 1);
        const autoPad = attribute(node, 'auto_pad')?.s;
        if (cout === undefined || cin !== channels || kh === undefined || kw === undefined) refuse(`convolution ${node.name} has unexpected weights`);
        if (!ones('strides') || !ones('dilations') || (attribute(node, 'group')?.i ?? 1) !== 1) refuse(`convolution ${node.name} is strided, dilated or grouped`);
        if (pads[0] !== 0 || pads[2] !== 0 || (autoPad && new TextDecoder().decode(autoPad) !== 'NOTSET')) refuse(`convolution ${node.name} pads along time`);
        if (kh > 1) {
          const cache: CacheSpec = { input: `cache_${caches.length}`, output: `cache_${caches.length}_next`, channels, rows: kh - 1, width };
          caches.push(cache);
          const joined = `${cache.input}__joined`;
          const sliceInputs = sliceInits(extraInits, kh - 1);
          stepNodes.push({ opType: 'Concat', name: `${joined}__concat`, input: [cache.input, current], output: [joined], attribute: [{ name: 'axis', i: 2, type: 2 }] });
          stepNodes.push({ opType: 'Slice', name: `${cache.output}__slice`, input: [joined, ...sliceInputs], output: [cache.output] });
          windowNodes.push({ opType: 'Slice', name: `${cache.output}__slice`, input: [current, ...sliceInputs], output: [cache.output] });
          stepNode = { ...node, input: [joined, ...node.input.slice(1)] };
        }
        rows -= kh - 1;
        width += (pads[1] ?? 0) + (pads[3] ?? 0) - (kw - 1);
        channels = cout;
        break;
      }
      case 'MaxPool': {
        const [kh, kw] = attribute(node, 'kernel_shape')?.ints ?? [];
        const [sh, sw] = attribute(node, 'strides')?.ints ?? [1, 1];
        const pads = attribute(node, 'pads')?.ints ?? [0, 0, 0, 0];
        if (kh === undefined || kw === undefined || sh === undefined || sw === undefined || kh !== sh || (attribute(node, 'ceil_mode')?.i ?? 0) !== 0) {
          refuse(`pool ${node.name} overlaps along time`);
        }
        if (pads[0] !== 0 || pads[2] !== 0 || rows % sh !== 0 || newRows % sh !== 0) refuse(`pool ${node.name} does not align with the step`);
        rows /= sh;
        newRows /= sh;
        width = Math.floor((width + (pads[1] ?? 0) + (pads[3] ?? 0) - kw) / sw) + 1;
        break;
      }
      default:
        if (ELEMENTWISE_UNARY.has(node.opType) && node.input.length === 1) break;
        if (ELEMENTWISE_SCALAR.has(node.opType) && node.input.every((name) => name === current || elementCount(inits.get(name)) === 1)) break;
        refuse(`it uses ${node.opType}, which the streaming form does not handle`);
    }
    stepNodes.push(stepNode);
    windowNodes.push(node);
    current = out;
  });
  if (current !== output.name || rows !== 1 || newRows !== 1) refuse('its chain does not end in one embedding per window');

  const cacheInfos = (name: (c: CacheSpec) => string) => caches.map((c) => floatValueInfo(name(c), ['batch', c.channels, c.rows, c.width]));
  const derived = (nodes: OnnxNode[], inputInfo: typeof g.input): Uint8Array => {
    const used = new Set(nodes.flatMap((n) => n.input));
    return encodeOnnxModel({
      ...model,
      producerName: 'echosim',
      graph: {
        name: `${g.name ?? 'embedding'}_streaming`,
        node: nodes,
        initializer: [...g.initializer, ...extraInits].filter((t) => used.has(t.name)),
        input: inputInfo,
        output: [output, ...cacheInfos((c) => c.output)],
      },
    } satisfies OnnxModel);
  };
  return {
    stepFrames,
    caches,
    inputName: input.name,
    outputName: output.name,
    window: derived(windowNodes, [input]),
    step: derived(stepNodes, [floatValueInfo(input.name, ['batch', stepFrames, bins, 1]), ...cacheInfos((c) => c.input)]),
  };
}

function refuse(why: string): never {
  throw new EchosimError('MODEL_NOT_STREAMABLE', `the embedding model cannot be run incrementally: ${why}`, {
    hint: 'echosim runs the full model on every window instead; results are the same, only slower.',
  });
}

/** Shared Slice inputs taking the last `rows` rows along axis 2. */
function sliceInits(inits: OnnxTensor[], rows: number): string[] {
  const names = [`slice_last_${rows}_starts`, 'slice_last_ends', 'slice_time_axis'];
  if (!inits.some((t) => t.name === names[0])) inits.push(int64Tensor(names[0] as string, [-rows]));
  if (!inits.some((t) => t.name === names[1])) inits.push(int64Tensor(names[1] as string, [END]), int64Tensor(names[2] as string, [2]));
  return names;
}

function intsOf(t: OnnxTensor | undefined): number[] {
  if (!t) return [];
  if (t.int64Data?.length) return t.int64Data;
  if (!t.rawData || t.dataType !== TENSOR_INT64) return [];
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  return Array.from({ length: t.rawData.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

function elementCount(t: OnnxTensor | undefined): number {
  return t ? t.dims.reduce((a, b) => a * b, 1) : Number.NaN;
}

/** The two derived graphs, loaded. */
export interface StreamingEmbedding {
  readonly graphs: StreamingEmbeddingGraphs;
  readonly window: ort.InferenceSession;
  readonly step: ort.InferenceSession;
}

/**
 * Loads the streaming form of an embedding model, or resolves to undefined when the model is not
 * of the shape it handles (a custom embedding model then simply runs in full).
 */
export async function loadStreamingEmbedding(
  bytes: Uint8Array,
  stepFrames: number,
  /** Rewrites the step graph before it is loaded (the int8 form: quantized-embedding.ts). */
  derive?: (step: Uint8Array) => Uint8Array,
): Promise<StreamingEmbedding | undefined> {
  let graphs: StreamingEmbeddingGraphs;
  try {
    graphs = buildStreamingEmbedding(bytes, stepFrames);
  } catch (err) {
    if (err instanceof EchosimError && err.code === 'MODEL_NOT_STREAMABLE') return undefined;
    throw err;
  }
  if (derive) graphs = { ...graphs, step: derive(graphs.step) };
  const [window, step] = await Promise.all([createSession(graphs.window, 'embedding (window)'), createSession(graphs.step, 'embedding (step)')]);
  return { graphs, window, step };
}
