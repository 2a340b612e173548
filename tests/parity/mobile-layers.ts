// One functional model with every layer and activation the mobile-class CNN
// issue added, in one graph so prediction and training parity cover them
// together (and each one's backward sees a real upstream gradient).
import type { Describe } from "./graphs.js";

/** The image mobileLayersNet reads. */
export const MOBILE_LAYERS_SHAPE = [9, 13, 3];

const JOIN_HEIGHT = 6;
const JOIN_WIDTH = 12;

/**
 * pad -> conv -> BN -> ReLU(negativeSlope) -> depthwise stride 2 m2
 * relu6 -> depthwise m1 hardSigmoid, Add; two branches of that sum (crop +
 * upsample [2,3]; separable -> BN -> ReLU(maxValue) -> crop + upsample 2;
 * Conv2DTranspose stride 2 with swish -> crop)
 * meet in a Concatenate, which a Reshape scrambles across channels, an elu
 * conv mixes (so no two GlobalMaxPool2D candidates are copies of one value:
 * max ties would route gradients differently in each library), and a
 * GlobalMaxPool2D reads.
 *
 * To add a layer: make a branch from `sum` (4x6x12) or any map before it
 * that ends on a JOIN_HEIGHT x JOIN_WIDTH map and push it, with its channel
 * count, into `branches`; name any new kernel in MOBILE_LAYERS_GAIN if its
 * activation has kinks to reach, and in MOBILE_LAYERS_KINKS to check it does.
 *
 * `dilated`: the stem Conv2D is 3x3 with dilationRate 2, else a plain 5x5
 * (the same output shape). tfjs-core 4.22 has no gradient for a dilated
 * convolution ("dilation rates greater than 1 are not yet supported in
 * gradients"), so training is compared with the plain stem;
 * tests/graph/gradients.test.ts checks dilated gradients against finite
 * differences.
 *
 * Not here: DepthwiseConv2D's dilationRate. tfjs-layers 4.22's
 * depthwiseConv2d ignores it ("TODO(cais): Add support for dilation"), so a
 * dilated depthwise layer cannot be compared with it at all; depthwise.test.ts
 * checks that inference against tfjs-core ops, gradients.test.ts its gradients.
 */
export const mobileLayersNet = ({ dilated }: { dilated: boolean }): Describe => (L) => {
  const inp = L.input(MOBILE_LAYERS_SHAPE, "image");
  let x = L.zeroPad("pad", [[1, 2], [0, 3]])(inp); // 12x16
  // A 3x3 kernel dilated by 2 spans 5x5: both stems make the same 8x12 map.
  const stem = dilated ? { kernelSize: 3, dilationRate: 2 } : { kernelSize: 5 };
  x = L.conv("stem", { filters: 6, ...stem, useBias: false })(x); // 8x12
  x = L.reluNegativeSlope("leaky", 0.2)(L.bn("bn_stem")(x));
  x = L.depthwise("dw_s2_m2", { kernelSize: 3, strides: 2, padding: "same", depthMultiplier: 2, activation: "relu6" })(x); // 4x6x12
  const sum = L.add("add")([x, L.depthwise("dw_m1", { kernelSize: 3, padding: "same", activation: "hardSigmoid" })(x)]);

  // [map, channels]: every branch ends on a JOIN_HEIGHT x JOIN_WIDTH map.
  const branches: [typeof sum, number][] = [
    [L.upSample("up_2x3", [2, 3])(L.crop("crop_a", [[0, 1], [1, 1]])(sum)), 12], // 3x4 -> 6x12
    [L.upSample("up_2", 2)(L.crop("crop_b", [[1, 0], [0, 0]])(
      L.relu("relu_cap", { maxValue: 1 })(L.bn("bn_sep")(
        L.separable("sep", { filters: 5, kernelSize: 3, padding: "same", useBias: false })(sum))))), 5], // 3x6 -> 6x12
    [L.crop("crop_t", [[1, 1], [0, 0]])(
      L.transpose("deconv", { filters: 4, kernelSize: 3, strides: 2, padding: "same", activation: "swish" })(sum)), 4], // 8x12 -> 6x12
  ];
  const channels = branches.reduce((n, [, c]) => n + c, 0);
  const joined = L.concat("join")(branches.map(([t]) => t));
  // [6, 12, c] read as [12, c, 6]: each new pixel holds values from several old pixels and channels.
  const scrambled = L.reshape("reshape", [JOIN_WIDTH, channels, JOIN_HEIGHT])(joined);
  const mixed = L.conv("mix", { filters: 5, kernelSize: 3, padding: "same", activation: "elu" })(scrambled);
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.globalMaxPool("gmp")(mixed)) };
};

/**
 * Kernel gains (copyWeightsByName): the capping and saturating activations
 * reach their flat parts, and the head's logits stay small, or the softmax
 * saturates where tfjs' loss clips probabilities to [1e-7, 1 - 1e-7] (no
 * gradient there, a full one here).
 */
export const MOBILE_LAYERS_GAIN: Readonly<Record<string, number>> = { dw_s2_m2: 6, dw_m1: 3, deconv: 3, mix: 2, head: 0.2 };

/** Inputs in [-MOBILE_LAYERS_INPUT_SCALE, MOBILE_LAYERS_INPUT_SCALE). */
export const MOBILE_LAYERS_INPUT_SCALE = 2;

const reaches = (y: Float32Array, ...values: number[]): boolean => values.every((v) => y.includes(v));

/** Each non-linear layer's output reaches the parts of its activation a wrong gradient would differ in. */
export const MOBILE_LAYERS_KINKS: Readonly<Record<string, (y: Float32Array) => boolean>> = {
  leaky: (y) => y.some((v) => v < -0.1) && y.some((v) => v > 0.1),
  dw_s2_m2: (y) => reaches(y, 0, 6) && y.some((v) => v > 0 && v < 6),
  dw_m1: (y) => reaches(y, 0, 1) && y.some((v) => v > 0 && v < 1),
  relu_cap: (y) => reaches(y, 0, 1) && y.some((v) => v > 0 && v < 1),
  mix: (y) => y.some((v) => v < -0.1) && y.some((v) => v > 0.1),
  // swish dips to -0.278 at -1.278: outputs below -0.2 come from both sides of that turn.
  deconv: (y) => y.some((v) => v < -0.2) && y.some((v) => v > 1),
};
