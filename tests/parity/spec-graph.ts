// The bench's graph specs (bench/lib/models.mjs) as a Describe, node by node
// through Lib: the parity suites then build the very architecture the bench
// times, with simdcnn and with tfjs-layers, under the spec's layer names.
import { BN_EPSILON, type GraphSpec } from "../../bench/lib/models.mjs";
import type { Describe, Lib } from "./graphs.js";

/**
 * `logits`: the final softmax Dense is built linear (same name, same
 * weights). A randomly weighted classifier's softmax can be nearly uniform,
 * which would flatten a wrong trunk's error; the raw scores do not.
 */
export function describeSpec(spec: GraphSpec, { logits = false } = {}): Describe {
  return <T>(L: Lib<T>) => {
    const inp = L.input(spec.inputShape, "input");
    const values = new Map<string, T>([["input", inp]]);
    const read = (name: string): T => {
      const v = values.get(name);
      if (v === undefined) throw new Error(`${spec.name}: ${name} is read before it exists`);
      return v;
    };
    for (const n of spec.nodes) {
      const [x] = n.inputs.map(read) as [T];
      let y: T;
      switch (n.type) {
        case "conv":
          y = L.conv(n.name, { filters: n.filters, kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias })(x);
          break;
        case "dwconv":
          y = L.depthwise(n.name, { kernelSize: n.kernel, strides: n.strides, padding: n.padding, useBias: n.useBias })(x);
          break;
        case "zeropad":
          y = L.zeroPad(n.name, n.padding)(x);
          break;
        case "bn":
          y = L.bn(n.name, { epsilon: BN_EPSILON })(x);
          break;
        case "relu":
          y = L.relu(n.name)(x);
          break;
        case "relu6":
          // keras.applications writes layers.ReLU(6.0), not an activation string.
          y = L.relu(n.name, { maxValue: 6 })(x);
          break;
        case "add":
          y = L.add(n.name)(n.inputs.map(read));
          break;
        case "gap":
          y = L.gap(n.name)(x);
          break;
        case "dense":
          y = L.dense(n.name, { units: n.units, activation: logits ? "linear" : n.activation ?? "linear" })(x);
          break;
        default:
          throw new Error(`${spec.name}: node type ${(n as { type: string }).type} has no translation`);
      }
      values.set(n.name, y);
    }
    return { inputs: [inp], outputs: read(spec.nodes[spec.nodes.length - 1]!.name) };
  };
}
