import protobuf from 'protobufjs';
import { EchosimError } from '../core/errors.js';

/**
 * The part of ONNX's protobuf schema (onnx.proto3, field numbers unchanged since IR v3) needed to
 * read a plain convolutional graph and write a derived one: nodes, attributes, initializers and
 * value infos. Fields outside it (training info, metadata, functions, sparse or external tensors)
 * are dropped on decode, so a model that needs them is refused by whoever walks the graph.
 */
const root = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
        TypeProto: { fields: { tensorType: { type: 'TensorTypeProto', id: 1 } } },
        TensorTypeProto: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'DimensionProto', id: 1 } } },
        DimensionProto: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
      },
    },
  },
});
const ModelProto = root.lookupType('onnx.ModelProto');

export const TENSOR_FLOAT = 1;
export const TENSOR_INT64 = 7;

export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  type?: number;
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  attribute?: OnnxAttribute[];
  domain?: string;
}
export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  floatData?: number[];
  int64Data?: number[];
  rawData?: Uint8Array;
}
export interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
export interface OnnxGraph {
  node: OnnxNode[];
  name?: string;
  initializer: OnnxTensor[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsetImport: { domain?: string; version?: number }[];
  graph: OnnxGraph;
}

export function decodeOnnxModel(bytes: Uint8Array, label: string): OnnxModel {
  try {
    const model = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: false }) as OnnxModel;
    if (!model.graph) throw new Error('no graph');
    model.graph.node ??= [];
    model.graph.initializer ??= [];
    model.graph.input ??= [];
    model.graph.output ??= [];
    return model;
  } catch (cause) {
    throw new EchosimError('MODEL_LOAD_FAILED', `the ${label} model is not a readable ONNX file: ${(cause as Error).message}`, {
      cause,
      hint: 'Reinstall dependencies with "npm ci"; the model file may be damaged.',
    });
  }
}

export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

export function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

export function int64Tensor(name: string, values: readonly number[]): OnnxTensor {
  return { name, dims: [values.length], dataType: TENSOR_INT64, int64Data: [...values] };
}

/** A float tensor's value info with fixed dimensions, a string naming a symbolic one. */
export function floatValueInfo(name: string, dims: readonly (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: TENSOR_FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
