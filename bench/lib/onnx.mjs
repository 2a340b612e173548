// A tiny ONNX model writer: just enough protobuf to hand ONNX Runtime Web the
// graphs the benchmark needs (MatMul/Gemm, Conv, pooling, Relu, Softmax,
// Flatten/Reshape), so no .onnx file has to ship or be downloaded.
//
// Field numbers are those of onnx/onnx.proto (ONNX IR version 8). Only the
// wire types the messages use appear here: varint (0) and length-delimited (2).

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;

/** ONNX TensorProto.DataType values. */
export const DataType = { FLOAT: 1, INT64: 7 };

/** ONNX AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 };

const IR_VERSION = 8;
const DEFAULT_OPSET = 13;

// ---- protobuf wire encoding ------------------------------------------------

/** Appends a varint; negative int64 values take the 10-byte two's-complement form. */
function pushVarint(out, value) {
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
}

/**
 * A message under construction: small header bytes go to `pending`, large
 * payloads (weights) stay as Uint8Array chunks so megabytes are never copied
 * byte by byte.
 */
class Writer {
  constructor() {
    this.chunks = [];
    this.pending = [];
  }
  flush() {
    if (this.pending.length > 0) {
      this.chunks.push(Uint8Array.from(this.pending));
      this.pending = [];
    }
  }
  tag(field, wire) {
    pushVarint(this.pending, (field << 3) | wire);
  }
  varint(field, value) {
    this.tag(field, WIRE_VARINT);
    pushVarint(this.pending, value);
    return this;
  }
  raw(field, uint8) {
    this.tag(field, WIRE_BYTES);
    pushVarint(this.pending, uint8.length);
    this.flush();
    this.chunks.push(uint8 instanceof Uint8Array ? uint8 : Uint8Array.from(uint8));
    return this;
  }
  string(field, s) {
    return this.raw(field, new TextEncoder().encode(s));
  }
  message(field, writer) {
    return this.raw(field, writer.finish());
  }
  /** Packed repeated varints (proto3 default for repeated scalars). */
  packedVarints(field, values) {
    const inner = [];
    for (const v of values) pushVarint(inner, v);
    return this.raw(field, inner);
  }
  finish() {
    this.flush();
    let length = 0;
    for (const c of this.chunks) length += c.length;
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// ---- ONNX messages ---------------------------------------------------------

/** TensorProto: float32 (raw little-endian bytes) or int64 initializer. */
function tensorProto(name, dims, data, dataType = DataType.FLOAT) {
  const w = new Writer();
  w.packedVarints(1, dims); // dims
  w.varint(2, dataType); // data_type
  w.string(8, name); // name
  if (dataType === DataType.FLOAT) {
    const f = Float32Array.from(data);
    w.raw(9, new Uint8Array(f.buffer, f.byteOffset, f.byteLength)); // raw_data (little-endian, as every wasm host)
  } else {
    const b = BigInt64Array.from(data, (x) => BigInt(x));
    w.raw(9, new Uint8Array(b.buffer));
  }
  return w;
}

/** ValueInfoProto with a float tensor type of fixed shape. */
function valueInfo(name, shape) {
  const shapeProto = new Writer();
  for (const d of shape) shapeProto.message(1, new Writer().varint(1, d)); // dim { dim_value }
  const tensorType = new Writer().varint(1, DataType.FLOAT).message(2, shapeProto); // elem_type, shape
  const type = new Writer().message(1, tensorType); // TypeProto.tensor_type
  return new Writer().string(1, name).message(2, type);
}

/** AttributeProto from a JS value: integer, float (wrap as {float: x}), string, or int array. */
function attribute(name, value) {
  const w = new Writer().string(1, name);
  if (Array.isArray(value)) {
    w.packedVarints(8, value).varint(20, AttributeType.INTS);
  } else if (typeof value === "string") {
    w.string(4, value).varint(20, AttributeType.STRING);
  } else if (typeof value === "object" && value !== null && "float" in value) {
    const f = new Float32Array([value.float]);
    w.tag(2, 5); // f: fixed32
    w.pending.push(...new Uint8Array(f.buffer));
    w.varint(20, AttributeType.FLOAT);
  } else if (Number.isInteger(value)) {
    w.varint(3, value).varint(20, AttributeType.INT);
  } else {
    throw new TypeError(`onnx attribute '${name}': unsupported value ${String(value)}`);
  }
  return w;
}

/**
 * Builds a graph step by step and serializes it as a ModelProto.
 *
 * @example
 * const g = new OnnxGraph();
 * const x = g.input("x", [1, 784]);
 * const y = g.node("MatMul", [x, g.initializer("w", [784, 128], w)]);
 * g.output(y, [1, 128]);
 * const bytes = g.toModel();
 */
export class OnnxGraph {
  constructor() {
    this.nodes = [];
    this.initializers = [];
    this.inputs = [];
    this.outputs = [];
    this.counter = 0;
  }
  /** Declares a graph input of fixed shape; returns its name. */
  input(name, shape) {
    this.inputs.push(valueInfo(name, shape));
    return name;
  }
  /** Declares a graph output of fixed shape. */
  output(name, shape) {
    this.outputs.push(valueInfo(name, shape));
    return name;
  }
  /** Adds a float32 constant; returns its name. */
  initializer(name, dims, data, dataType = DataType.FLOAT) {
    this.initializers.push(tensorProto(name, dims, data, dataType));
    return name;
  }
  /** Adds a node with one output; returns the output's name. */
  node(opType, inputs, attributes = {}, outputName = `${opType.toLowerCase()}_${this.counter++}`) {
    const w = new Writer();
    for (const i of inputs) w.string(1, i);
    w.string(2, outputName);
    w.string(3, `${outputName}_node`);
    w.string(4, opType);
    for (const [k, v] of Object.entries(attributes)) w.message(5, attribute(k, v));
    this.nodes.push(w);
    return outputName;
  }
  /** Serializes as an ONNX ModelProto (IR 8, default-domain opset 13). */
  toModel(opset = DEFAULT_OPSET) {
    const graph = new Writer();
    for (const n of this.nodes) graph.message(1, n);
    graph.string(2, "bench");
    for (const t of this.initializers) graph.message(5, t);
    for (const i of this.inputs) graph.message(11, i);
    for (const o of this.outputs) graph.message(12, o);
    const model = new Writer();
    model.varint(1, IR_VERSION);
    model.string(2, "simdcnn-bench");
    model.message(7, graph);
    model.message(8, new Writer().string(1, "").varint(2, opset)); // opset_import
    return model.finish();
  }
}
