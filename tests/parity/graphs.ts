// Functional models built twice from one description: once with simdcnn's
// input()/apply()/Model, once with tfjs-layers', with the same layer names,
// so weights can be copied layer by layer by name and outputs compared.
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import {
  Activation, Add, Average, BatchNormalization, Concatenate, Conv2D, Conv2DTranspose, Cropping2D, Dense, DepthwiseConv2D, Flatten,
  GlobalAvgPool2D, GlobalMaxPool2D, input, MaxPool2D, Maximum, Model, Multiply, ReLU, Reshape, SeparableConv2D,
  UpSampling2D, ZeroPadding2D, type Layer, type SymbolicTensor,
} from "simdcnn";
import { uniform } from "./harness.js";

/** Activations both libraries spell the same way (tfjs-layers has no 'leakyRelu' string). */
type Act = "linear" | "relu" | "sigmoid" | "tanh" | "softmax" | "relu6" | "elu" | "hardSigmoid" | "swish";

/** The layers a description may use; each takes a Keras name and returns a function applying it. */
export interface Lib<T> {
  input(shape: number[], name: string): T;
  conv(name: string, o: { filters: number; kernelSize: number; strides?: number; padding?: "same" | "valid";
    dilationRate?: number; activation?: Act; useBias?: boolean }): (x: T) => T;
  dense(name: string, o: { units: number; activation?: Act; useBias?: boolean }): (x: T) => T;
  depthwise(name: string, o: { kernelSize: number; strides?: number; padding?: "same" | "valid";
    depthMultiplier?: number; dilationRate?: number; activation?: Act; useBias?: boolean }): (x: T) => T;
  separable(name: string, o: { filters: number; kernelSize: number; strides?: number; padding?: "same" | "valid";
    depthMultiplier?: number; activation?: Act; useBias?: boolean }): (x: T) => T;
  transpose(name: string, o: { filters: number; kernelSize: number; strides?: number; padding?: "same" | "valid";
    activation?: Act; useBias?: boolean }): (x: T) => T;
  bn(name: string, o?: { axis?: number; center?: boolean; scale?: boolean; epsilon?: number; momentum?: number }): (x: T) => T;
  relu(name: string, o?: { maxValue?: number }): (x: T) => T;
  activation(name: string, activation: "tanh" | "sigmoid" | "softmax" | "swish"): (x: T) => T;
  maxPool(name: string, poolSize: number): (x: T) => T;
  gap(name: string): (x: T) => T;
  flatten(name: string): (x: T) => T;
  add(name: string): (xs: T[]) => T;
  multiply(name: string): (xs: T[]) => T;
  average(name: string): (xs: T[]) => T;
  maximum(name: string): (xs: T[]) => T;
  concat(name: string, axis?: number): (xs: T[]) => T;
  zeroPad(name: string, padding: Pad2D): (x: T) => T;
  crop(name: string, cropping: Pad2D): (x: T) => T;
  upSample(name: string, size: number | [number, number]): (x: T) => T;
  globalMaxPool(name: string): (x: T) => T;
  reshape(name: string, targetShape: number[]): (x: T) => T;
  /** ReLU({ negativeSlope }); tfjs-layers 4.22's ReLU reads only maxValue, so theirs is its LeakyReLU. */
  reluNegativeSlope(name: string, negativeSlope: number): (x: T) => T;
}

/** ZeroPadding2D's and Cropping2D's three forms. */
type Pad2D = number | [number, number] | [[number, number], [number, number]];

/** A functional architecture: inputs and outputs from a library's layers. */
export type Describe = <T>(lib: Lib<T>) => { inputs: T[]; outputs: T };

// Each factory makes its layer once, so a description may apply it twice (shared weights).
const apply1 = (layer: Layer) => (x: SymbolicTensor): SymbolicTensor => layer.apply(x);
const applyN = (layer: Layer) => (xs: SymbolicTensor[]): SymbolicTensor => layer.apply(xs);

export const ours: Lib<SymbolicTensor> = {
  input: (shape, name) => input({ shape, name }),
  conv: (name, o) => apply1(new Conv2D({ name, ...o })),
  dense: (name, o) => apply1(new Dense({ name, ...o })),
  depthwise: (name, o) => apply1(new DepthwiseConv2D({ name, ...o })),
  separable: (name, o) => apply1(new SeparableConv2D({ name, ...o })),
  transpose: (name, o) => apply1(new Conv2DTranspose({ name, ...o })),
  bn: (name, o = {}) => apply1(new BatchNormalization({ name, ...o })),
  relu: (name, o = {}) => apply1(new ReLU({ name, ...o })),
  activation: (name, activation) => apply1(new Activation({ name, activation })),
  maxPool: (name, poolSize) => apply1(new MaxPool2D({ name, poolSize })),
  gap: (name) => apply1(new GlobalAvgPool2D({ name })),
  flatten: (name) => apply1(new Flatten({ name })),
  add: (name) => applyN(new Add({ name })),
  multiply: (name) => applyN(new Multiply({ name })),
  average: (name) => applyN(new Average({ name })),
  maximum: (name) => applyN(new Maximum({ name })),
  concat: (name, axis) => applyN(new Concatenate({ name, axis })),
  zeroPad: (name, padding) => apply1(new ZeroPadding2D({ name, padding })),
  crop: (name, cropping) => apply1(new Cropping2D({ name, cropping })),
  upSample: (name, size) => apply1(new UpSampling2D({ name, size })),
  globalMaxPool: (name) => apply1(new GlobalMaxPool2D({ name })),
  reshape: (name, targetShape) => apply1(new Reshape({ name, targetShape })),
  reluNegativeSlope: (name, negativeSlope) => apply1(new ReLU({ name, negativeSlope })),
};

type TfT = tfl.SymbolicTensor;
const one = (layer: tfl.layers.Layer) => (x: TfT): TfT => layer.apply(x) as TfT;
const many = (layer: tfl.layers.Layer) => (xs: TfT[]): TfT => layer.apply(xs) as TfT;

export const theirs: Lib<TfT> = {
  input: (shape, name) => tfl.input({ shape, name }),
  conv: (name, o) => one(tfl.layers.conv2d({ name, ...o })),
  dense: (name, o) => one(tfl.layers.dense({ name, ...o })),
  depthwise: (name, o) => one(tfl.layers.depthwiseConv2d({ name, ...o })),
  separable: (name, o) => one(tfl.layers.separableConv2d({ name, ...o })),
  transpose: (name, o) => one(tfl.layers.conv2dTranspose({ name, ...o })),
  bn: (name, o = {}) => one(tfl.layers.batchNormalization({ name, ...o })),
  relu: (name, o = {}) => one(tfl.layers.reLU({ name, ...o })),
  activation: (name, activation) => one(tfl.layers.activation({ name, activation })),
  maxPool: (name, poolSize) => one(tfl.layers.maxPooling2d({ name, poolSize })),
  gap: (name) => one(tfl.layers.globalAveragePooling2d({ name })),
  flatten: (name) => one(tfl.layers.flatten({ name })),
  add: (name) => many(tfl.layers.add({ name })),
  multiply: (name) => many(tfl.layers.multiply({ name })),
  average: (name) => many(tfl.layers.average({ name })),
  maximum: (name) => many(tfl.layers.maximum({ name })),
  concat: (name, axis) => many(tfl.layers.concatenate({ name, axis })),
  zeroPad: (name, padding) => one(tfl.layers.zeroPadding2d({ name, padding })),
  crop: (name, cropping) => one(tfl.layers.cropping2D({ name, cropping })),
  upSample: (name, size) => one(tfl.layers.upSampling2d({ name, size: typeof size === "number" ? [size, size] : size })),
  globalMaxPool: (name) => one(tfl.layers.globalMaxPooling2d({ name })),
  reshape: (name, targetShape) => one(tfl.layers.reshape({ name, targetShape })),
  reluNegativeSlope: (name, negativeSlope) => one(tfl.layers.leakyReLU({ name, alpha: negativeSlope })),
};

/** Builds both models of a description. */
export function buildBoth(describe: Describe): { model: Model; tfModel: tfl.LayersModel } {
  const a = describe(ours);
  const b = describe(theirs);
  return {
    model: new Model({ inputs: a.inputs, outputs: a.outputs }),
    tfModel: tfl.model({ inputs: b.inputs, outputs: b.outputs }),
  };
}

/**
 * Gives every tfjs layer seeded weights (glorot-scaled kernels, small biases,
 * BatchNorm statistics away from 0 and 1 so a wrong formula shows), then
 * copies them into our model layer by layer, by name. `gains` scales the
 * kernels of the layers it names (relu6Net's, so pre-activations grow past
 * the caps).
 */
export function copyWeightsByName(model: Model, tfModel: tfl.LayersModel, seed: number,
                                  gains: Readonly<Record<string, number>> = {}): void {
  let k = 0;
  for (const tfLayer of tfModel.layers) {
    const weights = tfLayer.getWeights();
    if (weights.length === 0) continue;
    // tfjs makes variable names unique per process ("gamma_1" in a second model): match the stem.
    const names = tfLayer.weights.map((w) => w.name.split("/").pop()!.replace(/_\d+$/, ""));
    const values = weights.map((w, i) => {
      const n = w.size;
      const name = names[i]!;
      k++;
      if (name === "moving_variance") return tf.tensor(uniform(n, seed + k, 0.5).map((v) => 1 + v), w.shape);
      if (name === "gamma") return tf.tensor(uniform(n, seed + k, 0.3).map((v) => 1 + v), w.shape);
      if (w.shape.length === 1) return tf.tensor(uniform(n, seed + k, 0.2), w.shape);
      const receptive = w.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (w.shape[w.shape.length - 2]! + w.shape[w.shape.length - 1]!)));
      return tf.tensor(uniform(n, seed + k, (gains[tfLayer.name] ?? 1) * limit), w.shape);
    });
    tfLayer.setWeights(values);
    values.forEach((t) => t.dispose());
    model.getLayer(tfLayer.name).setWeights(tfLayer.getWeights().map((w) => w.dataSync() as Float32Array));
  }
}

/** A seeded batch for each input of a model. */
export function batchFor(model: Model, batch: number, seed: number): Float32Array[] {
  return model.inputs.map((t, i) => uniform(batch * t.shape.reduce((a, b) => a * b, 1), seed + 7 * i));
}

/** tfjs predict on flat inputs. */
export function tfPredictMany(tfModel: tfl.LayersModel, xs: Float32Array[], batch: number): Float32Array {
  return tf.tidy(() => {
    const inputs = tfModel.inputs.map((t, i) => tf.tensor(xs[i]!, [batch, ...(t.shape.slice(1) as number[])]));
    const y = tfModel.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
    return y.dataSync() as Float32Array;
  });
}

/**
 * relu6 fused into a DepthwiseConv2D, a Conv2D and a Dense epilogue, and a
 * ReLU({ maxValue: 3 }) layer (fused into the conv before it). Fed inputs of
 * RELU6_INPUT_SCALE, so pre-activations cross both kinks (0 and the cap).
 */
export const relu6Net: Describe = (L) => {
  const inp = L.input([7, 7, 3], "image");
  let x = L.depthwise("dw6", { kernelSize: 3, padding: "same", depthMultiplier: 2, activation: "relu6" })(inp);
  x = L.conv("conv6", { filters: 6, kernelSize: 3, padding: "same", activation: "relu6" })(x);
  const capped = L.gap("gap")(L.relu("cap3", { maxValue: 3 })(L.conv("mix", { filters: 5, kernelSize: 3, padding: "same" })(x)));
  const d = L.dense("dense6", { units: 16, activation: "relu6" })(L.flatten("flat")(L.maxPool("pool", 2)(x)));
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(L.concat("join")([capped, d])) };
};

/**
 * relu6Net's input scale and kernel gain (copyWeightsByName): together they
 * drive part of every capping layer past its cap.
 */
export const RELU6_INPUT_SCALE = 4;
/** Not the head's: larger logits saturate the softmax, where tfjs' loss clips probabilities to [1e-7, 1 - 1e-7]. */
export const RELU6_GAIN: Readonly<Record<string, number>> = { dw6: 3, conv6: 3, mix: 3, dense6: 3 };

/** The layers of relu6Net that cap, with their caps (to check the inputs reach them). */
export const RELU6_CAPS: Readonly<Record<string, number>> = { dw6: 6, conv6: 6, cap3: 3, dense6: 6 };

/** elu and hardSigmoid fused into conv, depthwise and dense epilogues (hardSigmoid's kinks are at +-2.5). */
export const eluHardSigmoidNet: Describe = (L) => {
  const inp = L.input([6, 6, 2], "image");
  let x = L.conv("conv_elu", { filters: 4, kernelSize: 3, padding: "same", activation: "elu" })(inp);
  x = L.depthwise("dw_hs", { kernelSize: 3, activation: "hardSigmoid" })(x);
  const d = L.dense("dense_elu", { units: 6, activation: "elu" })(L.flatten("flat")(x));
  const h = L.dense("dense_hs", { units: 5, activation: "hardSigmoid" })(d);
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(h) };
};

/** eluHardSigmoidNet's kernel gains: hardSigmoid's pre-activations reach past +-2.5. */
export const ELU_HS_GAIN: Readonly<Record<string, number>> = { conv_elu: 2, dw_hs: 4, dense_hs: 4 };

/**
 * swish fused into conv, depthwise, dense and Conv2DTranspose epilogues, and as an Activation
 * layer; a stride-2 transposed conv between them. With SWISH_GAIN and inputs of scale 3, every
 * swish layer sees pre-activations below -1.28, where swish turns back up (checked on tfjs' intermediates).
 */
export const swishNet: Describe = (L) => {
  const inp = L.input([5, 6, 3], "image");
  let x = L.conv("conv_sw", { filters: 4, kernelSize: 3, padding: "same", activation: "swish" })(inp);
  x = L.depthwise("dw_sw", { kernelSize: 3, padding: "same", activation: "swish" })(x);
  x = L.transpose("up_sw", { filters: 3, kernelSize: 3, strides: 2, activation: "swish" })(x);
  x = L.activation("act_sw", "swish")(L.conv("mix", { filters: 3, kernelSize: 3, strides: 2 })(x));
  const d = L.dense("dense_sw", { units: 6, activation: "swish" })(L.flatten("flat")(x));
  return { inputs: [inp], outputs: L.dense("head", { units: 3, activation: "softmax" })(d) };
};

/** swishNet's kernel gains (copyWeightsByName). */
export const SWISH_GAIN: Readonly<Record<string, number>> = { conv_sw: 2, dw_sw: 2, up_sw: 2, mix: 2, dense_sw: 2 };

/** The layers of swishNet that end in swish. */
export const SWISH_LAYERS = ["conv_sw", "dw_sw", "up_sw", "act_sw", "dense_sw"] as const;
