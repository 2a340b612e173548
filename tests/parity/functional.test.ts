// Functional models vs tfjs-layers (cpu backend): residual adds, a three-way
// concatenation of branches with different kernel sizes, a shared layer, a
// two-input model, every merge layer, and BatchNormalization after a conv
// (folded into it at inference), after pooling (not folded) and before an
// activation, and dilated convolutions. Weights are copied layer by layer, by
// name; every backend.
import { beforeAll, describe, expect, it } from "vitest";
import { init } from "simdcnn";
import { BACKENDS, useTfCpu } from "./harness.js";
import { batchFor, buildBoth, copyWeightsByName, tfPredictMany, type Describe } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

const residual: Describe = (L) => {
  const inp = L.input([9, 9, 3], "image");
  const a = L.conv("stem", { filters: 6, kernelSize: 3, padding: "same", activation: "relu" })(inp);
  const b = L.conv("branch", { filters: 6, kernelSize: 3, padding: "same" })(a);
  const s = L.relu("after_add")(L.add("residual")([a, b]));
  const c = L.conv("second", { filters: 6, kernelSize: 3, padding: "same", activation: "tanh" })(s);
  const t = L.add("residual_2")([s, c]);
  return { inputs: [inp], outputs: L.dense("head", { units: 4, activation: "softmax" })(L.gap("pool")(t)) };
};

const inception: Describe = (L) => {
  const inp = L.input([8, 7, 4], "image");
  const b1 = L.conv("b1x1", { filters: 3, kernelSize: 1, activation: "relu" })(inp);
  const b3 = L.conv("b3x3", { filters: 5, kernelSize: 3, padding: "same", activation: "relu" })(inp);
  const b5 = L.conv("b5x5", { filters: 2, kernelSize: 5, padding: "same", activation: "tanh" })(inp);
  const joined = L.concat("join")([b1, b3, b5]);
  const rows = L.concat("rows", 1)([joined, L.conv("mix", { filters: 10, kernelSize: 1 })(joined)]);
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "sigmoid" })(L.flatten("flat")(rows)) };
};

const shared: Describe = (L) => {
  const inp = L.input([6, 6, 3], "image");
  const conv = L.conv("shared", { filters: 3, kernelSize: 3, padding: "same", activation: "tanh" });
  const once = conv(inp);
  const twice = conv(once); // the same weights, applied to its own output
  const m = L.multiply("gate")([once, twice]);
  const avg = L.average("mean")([inp, once, twice]);
  const mx = L.maximum("max")([m, avg, once]);
  return { inputs: [inp], outputs: L.dense("head", { units: 2 })(L.flatten("flat")(mx)) };
};

const twoInputs: Describe = (L) => {
  const image = L.input([7, 7, 2], "image");
  const meta = L.input([5], "meta");
  const f = L.gap("pool")(L.conv("conv", { filters: 4, kernelSize: 3, activation: "relu" })(image));
  const m = L.dense("meta_dense", { units: 3, activation: "relu" })(meta);
  return { inputs: [image, meta], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.concat("join")([f, m])) };
};

const batchNorm: Describe = (L) => {
  const inp = L.input([8, 8, 3], "image");
  // After a conv without bias: folded at inference.
  let x = L.conv("conv_a", { filters: 5, kernelSize: 3, padding: "same", useBias: false })(inp);
  x = L.relu("relu_a")(L.bn("bn_a")(x));
  // After a conv with bias, whose output is also read elsewhere: not folded.
  const c = L.conv("conv_b", { filters: 5, kernelSize: 3, padding: "same" })(x);
  const n = L.bn("bn_b", { center: false })(c);
  x = L.add("sum")([c, n]);
  // After pooling: not folded. Then before an activation, after a dense.
  x = L.bn("bn_pool", { scale: false, epsilon: 0.01 })(L.maxPool("pool", 2)(x));
  const d = L.dense("dense", { units: 6 })(L.flatten("flat")(x));
  const out = L.activation("act", "tanh")(L.bn("bn_dense")(d));
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(out) };
};

const dilated: Describe = (L) => {
  const inp = L.input([11, 9, 3], "image");
  // Dilated convs take the im2col + GEMM path; BatchNorm + ReLU fold into the first.
  let x = L.conv("dil_a", { filters: 5, kernelSize: 3, dilationRate: 2, padding: "same", useBias: false })(inp);
  x = L.relu("relu_a")(L.bn("bn_a")(x));
  x = L.conv("dil_b", { filters: 4, kernelSize: 3, dilationRate: 2, activation: "tanh" })(x);
  return { inputs: [inp], outputs: L.dense("head", { units: 3 })(L.flatten("flat")(x)) };
};

const CASES: [string, Describe][] = [
  ["residual adds", residual],
  ["three-way and row concatenation", inception],
  ["a shared layer, multiply, average, maximum", shared],
  ["two inputs", twoInputs],
  ["BatchNormalization folded, not folded, before an activation", batchNorm],
  ["dilated Conv2D, 'same' with BatchNorm + ReLU folded, then 'valid'", dilated],
];

beforeAll(useTfCpu);

describe.each(BACKENDS)("functional models vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("%s", (_, describeGraph) => {
    const { model, tfModel } = buildBoth(describeGraph);
    copyWeightsByName(model, tfModel, 31);
    for (const batch of [1, 3]) {
      const xs = batchFor(model, batch, 5 + batch);
      const ours = model.predict(xs.length === 1 ? xs[0]! : xs).toArray();
      const want = tfPredictMany(tfModel, xs, batch);
      expect(ours.length).toBe(want.length);
      const scale = Math.max(...want.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - want[i]!));
      expect(worst / scale, `max |diff| ${worst} against output scale ${scale}`).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    }
    model.dispose();
  });
});
