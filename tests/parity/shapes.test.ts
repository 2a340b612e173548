// The layers that move data (ZeroPadding2D, Cropping2D, UpSampling2D,
// GlobalMaxPool2D, Reshape) against tfjs-layers (cpu backend), on odd sizes,
// asymmetric padding and cropping, upsampling by 2 and by [2, 3], every
// backend; weights copied by name. Predict takes the inference rewrites
// (a ZeroPadding2D before a conv folds into it), so these also check the
// fold against tfjs; tests/graph/pad-fold.test.ts checks it is taken.
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2D, Cropping2D, init, input, Reshape, UpSampling2D, ZeroPadding2D } from "simdcnn";
import { BACKENDS, useTfCpu } from "./harness.js";
import { batchFor, buildBoth, copyWeightsByName, tfPredictMany, type Describe } from "./graphs.js";
import { GRAPH_PARITY_REL } from "./tolerances.js";

const padCropUp: Describe = (L) => {
  const inp = L.input([7, 5, 3], "image");
  let x = L.zeroPad("pad_all", 1)(inp);                          // 9x7
  x = L.conv("conv_a", { filters: 4, kernelSize: 3, activation: "tanh" })(x); // 7x5 (the pad folds in)
  x = L.crop("crop_asym", [[2, 0], [1, 3]])(x);                  // 5x1
  x = L.upSample("up_2", 2)(x);                                  // 10x2
  x = L.zeroPad("pad_hw", [2, 1])(x);                            // 14x4, read by a crop: not folded
  const y = L.upSample("up_23", [2, 3])(L.crop("crop_hw", [3, 0])(x)); // 8x4 -> 16x12
  const z = L.crop("crop_n", 1)(y);                              // 14x10
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.flatten("flat")(z)) };
};

const foldsAndPools: Describe = (L) => {
  const inp = L.input([9, 8, 4], "image");
  // The asymmetric pad before a stride-2 'valid' conv (MobileNet's), folded in.
  let x = L.zeroPad("pad_s2", [[0, 1], [0, 1]])(inp);
  x = L.conv("conv_s2", { filters: 6, kernelSize: 3, strides: 2, useBias: false })(x);
  x = L.relu("relu")(L.bn("bn")(x));                             // BN and ReLU fold in too
  // Padding wider than the kernel, into a depthwise conv; then into a 'same' conv.
  x = L.zeroPad("pad_wide", [[3, 0], [1, 2]])(x);
  x = L.depthwise("dw", { kernelSize: 2, depthMultiplier: 2, activation: "relu" })(x);
  x = L.zeroPad("pad_same", [[1, 2], [0, 1]])(x);
  x = L.conv("conv_same", { filters: 5, kernelSize: 3, padding: "same" })(x);
  const gmp = L.globalMaxPool("gmp")(x);
  const r = L.reshape("as_rows", [63, 5])(x);  // tfjs leaves a -1 unknown, which its Flatten refuses
  const r2 = L.reshape("back", [3, 105])(L.flatten("flat")(r));
  const head = L.dense("head", { units: 4 })(L.flatten("flat2")(r2));
  return { inputs: [inp], outputs: L.concat("join")([gmp, head]) };
};

const CASES: [string, Describe][] = [
  ["ZeroPadding2D (1, [h, w]), Cropping2D (asymmetric, [h, w], n), UpSampling2D (2, [2, 3])", padCropUp],
  ["ZeroPadding2D folded into Conv2D (stride 2, 'same') and DepthwiseConv2D, GlobalMaxPool2D, Reshape", foldsAndPools],
];

beforeAll(useTfCpu);

describe.each(BACKENDS)("data-moving layers vs tfjs-layers on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("%s", (_, describeGraph) => {
    const { model, tfModel } = buildBoth(describeGraph);
    expect(model.outputShape).toEqual(tfModel.outputs[0]!.shape.slice(1));
    copyWeightsByName(model, tfModel, 17);
    for (const batch of [1, 3]) {
      const xs = batchFor(model, batch, 2 + batch);
      // Twice: the second predict reuses buffers the first left dirty, so zeros must be rewritten.
      for (let run = 0; run < 2; run++) {
        const ours = model.predict(xs[0]!).toArray();
        const want = tfPredictMany(tfModel, xs, batch);
        expect(ours.length).toBe(want.length);
        const scale = Math.max(...want.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - want[i]!));
        expect(worst / scale, `max |diff| ${worst} against output scale ${scale}`).toBeLessThanOrEqual(GRAPH_PARITY_REL);
      }
    }
    model.dispose();
  });
});

describe("configs and shapes", () => {
  it("reads Keras' three padding forms and refuses bad ones", () => {
    expect(new ZeroPadding2D().padding).toEqual([[1, 1], [1, 1]]);
    expect(new ZeroPadding2D({ padding: [2, 0] }).padding).toEqual([[2, 2], [0, 0]]);
    expect(new Cropping2D({ cropping: [[1, 2], [3, 4]] }).cropping).toEqual([[1, 2], [3, 4]]);
    expect(() => new ZeroPadding2D({ padding: -1 })).toThrow(/padding must be a non-negative integer/);
    expect(() => new Cropping2D({ cropping: [[1, 2], 3] as never })).toThrow(/cropping must be/);
    expect(() => new Cropping2D({ croping: 1 } as never)).toThrow(/did you mean 'cropping'/);
    expect(() => new UpSampling2D({ interpolation: "bilinear" as never })).toThrow(/'nearest'/);
    expect(() => new UpSampling2D({ size: 0 })).toThrow(/size must be a positive integer/);
  });

  it("checks shapes when applied: cropping everything away, Reshape sizes and -1", () => {
    const x = input({ shape: [4, 6, 2] });
    expect(() => new Cropping2D({ cropping: [[2, 2], [0, 0]] }).apply(x)).toThrow(/leaves nothing/);
    expect(new Reshape({ targetShape: [-1, 4] }).apply(x).shape).toEqual([12, 4]);
    expect(() => new Reshape({ targetShape: [5, -1] }).apply(x)).toThrow(/cannot reshape input \[4,6,2\]/);
    expect(() => new Reshape({ targetShape: [7, 7] }).apply(x)).toThrow(/cannot reshape/);
    expect(() => new Reshape({ targetShape: [-1, -1] })).toThrow(/at most one -1/);
    expect(() => new Conv2D({ filters: 1 }).apply(new UpSampling2D({ size: [2, 3] }).apply(x))).not.toThrow();
  });
});
