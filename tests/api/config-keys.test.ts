// Unknown options in layer and optimizer configs: the pure checker, then
// every public class rejecting a misspelled key with the right suggestion and
// accepting every documented one.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Activation, Adam, AvgPool2D, CnnError, ConfigError, Conv2D, Conv2DTranspose, Dense, DepthwiseConv2D, Dropout, Flatten,
  GlobalAvgPool2D, init, LeakyReLU, MaxPool2D, ReLU, Sequential, SGD, Sigmoid, Softmax, Tanh,
  type ActivationConfig, type AdamConfig, type Conv2DConfig, type Conv2DTransposeConfig, type DenseConfig, type DepthwiseConv2DConfig, type DropoutConfig, type Layer,
  type LayerConfig, type LeakyReLUConfig, type Pool2DConfig, type ReLUConfig, type SGDConfig,
} from "simdcnn";
import {
  adviseKey, checkConfigKeys, editDistance, snakeToCamel, UNSUPPORTED_KERAS_KEYS,
} from "../../src/layers/config-keys.js";
import { ConfigError as SrcConfigError } from "../../src/errors.js";
import { ACTIVATION_KEYS, LEAKY_RELU_KEYS, RELU_KEYS } from "../../src/layers/activation.js";
import { CONV2D_KEYS } from "../../src/layers/conv2d.js";
import { CONV2D_TRANSPOSE_KEYS } from "../../src/layers/conv2d-transpose.js";
import { DENSE_KEYS } from "../../src/layers/dense.js";
import { DEPTHWISE_CONV2D_KEYS } from "../../src/layers/depthwise-conv2d.js";
import { DROPOUT_KEYS } from "../../src/layers/dropout.js";
import { LAYER_CONFIG_KEYS } from "../../src/layers/layer.js";
import { POOL2D_KEYS } from "../../src/layers/pooling.js";
import { ADAM_KEYS } from "../../src/train/adam.js";
import { SGD_KEYS } from "../../src/train/sgd.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

/** A config the TypeScript types would refuse (the point of these tests is what JS callers pass). */
const untyped = (config: object) => config as never;

/** Runs `fn`, expects a ConfigError (of the package or of src/), and returns its message. */
function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e instanceof ConfigError || e instanceof SrcConfigError).toBe(true);
    expect((e as Error).name).toBe("ConfigError");
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("snakeToCamel and editDistance", () => {
  it("maps snake_case to camelCase, digits included", () => {
    expect(snakeToCamel("kernel_size")).toBe("kernelSize");
    expect(snakeToCamel("kernel_initializer")).toBe("kernelInitializer");
    expect(snakeToCamel("beta_1")).toBe("beta1");
    expect(snakeToCamel("filters")).toBe("filters");
    expect(snakeToCamel("useBias")).toBe("useBias");
  });

  it("counts insertions, deletions, substitutions and adjacent transpositions", () => {
    expect(editDistance("filter", "filters")).toBe(1);
    expect(editDistance("filtres", "filters")).toBe(1);
    expect(editDistance("activaton", "activation")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abc", "")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("adviseKey", () => {
  const conv = CONV2D_KEYS;

  it.each([
    ["kernel_size", "kernelSize"],
    ["use_bias", "useBias"],
    ["kernel_initializer", "kernelInitializer"],
    ["KernelSize", "kernelSize"],
    ["KERNEL_SIZE", "kernelSize"],
    ["filter", "filters"],
    ["filtres", "filters"],
    ["activaton", "activation"],
    ["stride", "strides"],
    ["paddding", "padding"],
    ["sed", "seed"],
  ])("%s -> %s", (key, meant) => {
    expect(adviseKey(key, conv)).toEqual({ kind: "suggest", key: meant });
  });

  it("pool_size -> poolSize for pooling keys", () => {
    expect(adviseKey("pool_size", POOL2D_KEYS)).toEqual({ kind: "suggest", key: "poolSize" });
  });

  it("Keras-only keys say they are unsupported instead of suggesting a near key", () => {
    const reg = adviseKey("kernelRegularizer", conv);
    expect(reg).toEqual({ kind: "unsupported", key: "kernelRegularizer", reason: UNSUPPORTED_KERAS_KEYS.kernelRegularizer });
    expect(adviseKey("dilationRate", DENSE_KEYS)).toMatchObject({ kind: "unsupported", key: "dilationRate" });
    // Python Keras spelling finds the same entry.
    expect(adviseKey("dilation_rate", DENSE_KEYS)).toMatchObject({ kind: "unsupported", key: "dilationRate" });
    expect(adviseKey("input_shape", DENSE_KEYS)).toMatchObject({ kind: "unsupported", key: "inputShape" });
    const shape = adviseKey("inputShape", DENSE_KEYS);
    expect(shape.kind === "unsupported" && shape.reason).toContain("new Sequential(layers, { inputShape })");
    expect(adviseKey("nesterov", SGD_KEYS)).toMatchObject({ kind: "unsupported", key: "nesterov" });
    // A key known to one class but not another gets no Keras advice: `strides` is simply not a Dense option.
    expect(adviseKey("strides", DENSE_KEYS)).toEqual({ kind: "none" });
  });

  it("Keras' other names for an accepted key are suggested where that key exists", () => {
    expect(adviseKey("lr", SGD_KEYS)).toEqual({ kind: "suggest", key: "learningRate" });
    expect(adviseKey("negative_slope", LEAKY_RELU_KEYS)).toEqual({ kind: "suggest", key: "alpha" });
    expect(adviseKey("negativeSlope", LAYER_CONFIG_KEYS)).toMatchObject({ kind: "unsupported" });
  });

  it("nothing close: no suggestion", () => {
    expect(adviseKey("kernel", conv)).toEqual({ kind: "none" });
    expect(adviseKey("xyz", conv)).toEqual({ kind: "none" });
    expect(adviseKey("units", conv)).toEqual({ kind: "none" });
  });
});

describe("checkConfigKeys", () => {
  it("the message names the class, the key, the suggestion and the accepted keys", () => {
    expect(configErrorOf(() => checkConfigKeys({ filters: 8, kernel_size: 5 }, CONV2D_KEYS, "Conv2D"))).toBe(
      "Conv2D: unknown option 'kernel_size'; did you mean 'kernelSize'? (accepted: filters, kernelSize, strides, " +
      "padding, dilationRate, activation, alpha, useBias, kernelInitializer, biasInitializer, name, seed)");
  });

  it("an unsupported Keras key: says so with the reason, suggests nothing", () => {
    const msg = configErrorOf(() => checkConfigKeys({ filters: 8, groups: 2 }, CONV2D_KEYS, "Conv2D"));
    expect(msg).toContain("Conv2D: unknown option 'groups'; this Keras option is not supported: grouped convolutions");
    expect(msg).not.toContain("did you mean");
    expect(msg).toContain("(accepted: filters, kernelSize,");
    const snake = configErrorOf(() => checkConfigKeys({ kernel_regularizer: "l2" }, CONV2D_KEYS, "Conv2D"));
    expect(snake).toContain("unknown option 'kernel_regularizer'; Keras' 'kernelRegularizer' is not supported: regularizers");
    const shape = configErrorOf(() => checkConfigKeys({ units: 3, inputShape: [4] }, DENSE_KEYS, "Dense"));
    expect(shape).toContain("Dense: unknown option 'inputShape'; this Keras option is not supported: " +
      "give the input shape to the model: new Sequential(layers, { inputShape })");
  });

  it("no close key: lists the accepted keys only", () => {
    expect(configErrorOf(() => checkConfigKeys({ rate: 0.5, foo: 1 }, DROPOUT_KEYS, "Dropout")))
      .toBe("Dropout: unknown option 'foo' (accepted: rate, name, seed)");
  });

  it("keys whose value is undefined are ignored; known keys pass", () => {
    expect(() => checkConfigKeys({ filters: 8, kernel_size: undefined }, CONV2D_KEYS, "Conv2D")).not.toThrow();
    expect(() => checkConfigKeys({ filters: 8, kernelSize: 5, name: "c", seed: 1 }, CONV2D_KEYS, "Conv2D")).not.toThrow();
    expect(() => checkConfigKeys({}, CONV2D_KEYS, "Conv2D")).not.toThrow();
    // null is a value, not an absent key.
    expect(() => checkConfigKeys({ filters: 8, kernel_size: null }, CONV2D_KEYS, "Conv2D")).toThrow(/kernel_size/);
  });

  it("an undefined config passes; anything else that is not an object throws", () => {
    expect(() => checkConfigKeys(undefined, CONV2D_KEYS, "Conv2D")).not.toThrow();
    for (const [bad, shown] of [[null, "null"], [5, "5"], ["conv", "\"conv\""], [[8, 5], "an array"], [true, "true"]] as const) {
      expect(configErrorOf(() => checkConfigKeys(bad, CONV2D_KEYS, "Conv2D")))
        .toBe(`Conv2D: the config must be an object of options, got ${shown}`);
    }
  });

  it("the error is a ConfigError (and so a CnnError)", () => {
    expect(() => checkConfigKeys({ x: 1 }, LAYER_CONFIG_KEYS, "Flatten")).toThrow(SrcConfigError);
  });
});

// Every public class: the documented keys (typed `Required<...>` so the
// compiler fails this file when an interface gains a key the test does not
// pass), the src key list, a misspelling and what must be suggested.
interface Case {
  where: string;
  make: (config: never) => Layer | SGD | Adam;
  all: object;
  keys: readonly string[];
  typo: object;
  bad: string;
  meant: string;
}

const conv2d: Required<Conv2DConfig> = {
  filters: 4, kernelSize: [3, 2], strides: [1, 2], padding: "same", dilationRate: 1, activation: "leakyRelu", alpha: 0.2,
  useBias: false, kernelInitializer: "heNormal", biasInitializer: "ones", name: "c", seed: 1,
};
const transpose: Required<Conv2DTransposeConfig> = {
  filters: 3, kernelSize: [2, 3], strides: [2, 1], padding: "same", outputPadding: [1, 0], dilationRate: 1,
  activation: "swish", alpha: 0.2,
  useBias: false, kernelInitializer: "heUniform", biasInitializer: "ones", name: "t", seed: 9,
};
const depthwise: Required<DepthwiseConv2DConfig> = {
  kernelSize: [3, 2], strides: 1, padding: "same", depthMultiplier: 2, dilationRate: [2, 1], activation: "leakyRelu",
  alpha: 0.2, useBias: false, depthwiseInitializer: "heNormal", biasInitializer: "ones", name: "dw", seed: 8,
};
const dense: Required<DenseConfig> = {
  units: 3, activation: "leakyRelu", alpha: 0.1, useBias: true, kernelInitializer: "glorotNormal",
  biasInitializer: "zeros", name: "d", seed: 2,
};
const pool: Required<Pool2DConfig> = { poolSize: [2, 3], strides: 1, padding: "valid", name: "p", seed: 3 };
const layer: Required<LayerConfig> = { name: "l", seed: 4 };
const activation: Required<ActivationConfig> = { activation: "leakyRelu", alpha: 0.05, name: "a", seed: 5 };
const leaky: Required<LeakyReLUConfig> = { alpha: 0.1, name: "lr", seed: 6 };
const relu: Required<ReLUConfig> = { maxValue: 6, negativeSlope: 0, threshold: 0, name: "r", seed: 8 };
const dropout: Required<DropoutConfig> = { rate: 0.25, name: "dr", seed: 7 };
const sgd: Required<SGDConfig> = { learningRate: 0.1, momentum: 0.9 };
const adam: Required<AdamConfig> = { learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 };

const cases: Case[] = [
  { where: "Conv2D", make: (c) => new Conv2D(c), all: conv2d, keys: CONV2D_KEYS, typo: { filters: 8, kernel_size: 5 }, bad: "kernel_size", meant: "kernelSize" },
  { where: "Conv2DTranspose", make: (c) => new Conv2DTranspose(c), all: transpose, keys: CONV2D_TRANSPOSE_KEYS, typo: { filters: 2, kernel_size: 4 }, bad: "kernel_size", meant: "kernelSize" },
  { where: "DepthwiseConv2D", make: (c) => new DepthwiseConv2D(c), all: depthwise, keys: DEPTHWISE_CONV2D_KEYS, typo: { kernelSize: 3, depth_multiplier: 2 }, bad: "depth_multiplier", meant: "depthMultiplier" },
  { where: "Dense", make: (c) => new Dense(c), all: dense, keys: DENSE_KEYS, typo: { units: 3, activaton: "relu" }, bad: "activaton", meant: "activation" },
  { where: "MaxPooling2D", make: (c) => new MaxPool2D(c), all: pool, keys: POOL2D_KEYS, typo: { pool_size: 3 }, bad: "pool_size", meant: "poolSize" },
  { where: "AveragePooling2D", make: (c) => new AvgPool2D(c), all: pool, keys: POOL2D_KEYS, typo: { PoolSize: 3 }, bad: "PoolSize", meant: "poolSize" },
  { where: "GlobalAveragePooling2D", make: (c) => new GlobalAvgPool2D(c), all: layer, keys: LAYER_CONFIG_KEYS, typo: { nme: "g" }, bad: "nme", meant: "name" },
  { where: "Flatten", make: (c) => new Flatten(c), all: layer, keys: LAYER_CONFIG_KEYS, typo: { Name: "f" }, bad: "Name", meant: "name" },
  { where: "Activation", make: (c) => new Activation(c), all: activation, keys: ACTIVATION_KEYS, typo: { activaton: "relu" }, bad: "activaton", meant: "activation" },
  { where: "ReLU", make: (c) => new ReLU(c), all: relu, keys: RELU_KEYS, typo: { max_value: 6 }, bad: "max_value", meant: "maxValue" },
  { where: "LeakyReLU", make: (c) => new LeakyReLU(c), all: leaky, keys: LEAKY_RELU_KEYS, typo: { alpah: 0.1 }, bad: "alpah", meant: "alpha" },
  { where: "Sigmoid", make: (c) => new Sigmoid(c), all: layer, keys: LAYER_CONFIG_KEYS, typo: { nam: "s" }, bad: "nam", meant: "name" },
  { where: "Tanh", make: (c) => new Tanh(c), all: layer, keys: LAYER_CONFIG_KEYS, typo: { SEED: 1 }, bad: "SEED", meant: "seed" },
  { where: "Softmax", make: (c) => new Softmax(c), all: layer, keys: LAYER_CONFIG_KEYS, typo: { naem: "s" }, bad: "naem", meant: "name" },
  { where: "Dropout", make: (c) => new Dropout(c), all: dropout, keys: DROPOUT_KEYS, typo: { rates: 0.5 }, bad: "rates", meant: "rate" },
  { where: "SGD", make: (c) => new SGD(c), all: sgd, keys: SGD_KEYS, typo: { learning_rate: 0.1 }, bad: "learning_rate", meant: "learningRate" },
  { where: "Adam", make: (c) => new Adam(c), all: adam, keys: ADAM_KEYS, typo: { learningRate: 0.01, beta_1: 0.9 }, bad: "beta_1", meant: "beta1" },
];

describe.each(cases)("$where", ({ where, make, all, keys, typo, bad, meant }) => {
  it(`rejects '${bad}' suggesting '${meant}'`, () => {
    const msg = configErrorOf(() => make(untyped(typo)));
    expect(msg).toBe(`${where}: unknown option '${bad}'; did you mean '${meant}'? (accepted: ${keys.join(", ")})`);
  });

  it("accepts every documented key, and the checked list is exactly those keys", () => {
    expect(Object.keys(all).sort()).toEqual([...keys].sort());
    expect(() => make(untyped(all))).not.toThrow();
  });

  it("ignores unknown keys whose value is undefined", () => {
    expect(() => make(untyped({ ...all, [bad]: undefined }))).not.toThrow();
  });

  it("rejects a null config with a ConfigError", () => {
    expect(configErrorOf(() => make(untyped(null as unknown as object)))).toContain(`${where}: the config must be an object`);
  });
});

describe("in the classes", () => {
  it("the headline bug: Conv2D({ kernel_size: 5 }) no longer builds a 3x3 conv", () => {
    expect(() => new Conv2D(untyped({ filters: 8, kernel_size: 5 }))).toThrow(ConfigError);
    const model = new Sequential([new Conv2D({ filters: 8, kernelSize: 5 })], { inputShape: [28, 28, 1] });
    expect(model.outputShape).toEqual([24, 24, 8]);
    model.dispose();
  });

  it("every key of a full config takes effect (built in a model)", () => {
    const c = new Conv2D(conv2d);
    const model = new Sequential([c, new MaxPool2D(pool), new Flatten(), new Dense(dense), new Dropout(dropout)],
      { inputShape: [8, 8, 2] });
    expect(c.kernelSize).toEqual([3, 2]);
    expect(c.strides).toEqual([1, 2]);
    expect(c.useBias).toBe(false);
    expect(c.weights().map((p) => p.name)).toEqual(["kernel"]);
    expect(model.outputShape).toEqual([3]);
    model.dispose();
  });

  it("ReLU and friends check the user's keys against their own options, not the config they pass on", () => {
    expect(configErrorOf(() => new ReLU(untyped({ activation: "tanh" }))))
      .toBe("ReLU: unknown option 'activation' (accepted: maxValue, negativeSlope, threshold, name, seed)");
    expect(configErrorOf(() => new Sigmoid(untyped({ alpha: 0.1 })))).toMatch(/^Sigmoid: unknown option 'alpha'/);
    expect(configErrorOf(() => new ReLU(untyped({ negative_slope: 0.1 }))))
      .toContain("ReLU: unknown option 'negative_slope'; did you mean 'negativeSlope'?");
    expect(configErrorOf(() => new LeakyReLU(untyped({ negative_slope: 0.1 }))))
      .toContain("LeakyReLU: unknown option 'negative_slope'; did you mean 'alpha'?");
    expect(configErrorOf(() => new Softmax(untyped({ axis: -1 })))).toContain("softmax is always over the last axis");
  });

  it("ReLU: a cap, or a slope, but not both; threshold 0 only", () => {
    expect(new ReLU({ maxValue: 3 }).maxValue).toBe(3);
    expect(new ReLU({ maxValue: null }).maxValue).toBe(null);
    expect(new ReLU({ negativeSlope: 0.1 }).negativeSlope).toBe(0.1);
    expect(new ReLU({ name: "r6", threshold: 0, negativeSlope: 0, maxValue: 6 }).getConfig()).toEqual({ name: "r6", maxValue: 6 });
    expect(configErrorOf(() => new ReLU({ maxValue: 6, negativeSlope: 0.1 })))
      .toBe("ReLU: negativeSlope together with maxValue is not supported (a leaky capped ReLU is not implemented; give one of them)");
    expect(configErrorOf(() => new ReLU({ threshold: 1 })))
      .toBe("ReLU: threshold 1 is not supported (thresholded ReLU is not implemented; only threshold 0)");
    expect(configErrorOf(() => new ReLU({ maxValue: -1 }))).toBe("ReLU: maxValue must be a finite number >= 0, got -1");
    expect(configErrorOf(() => new ReLU(untyped({ negativeSlope: "0.1" })))).toContain("ReLU: negativeSlope must be a finite number");
  });

  it("Keras-only layer and optimizer options are reported as unsupported", () => {
    expect(configErrorOf(() => new Dense(untyped({ units: 3, inputShape: [4] }))))
      .toContain("Dense: unknown option 'inputShape'; this Keras option is not supported: give the input shape to the model");
    expect(configErrorOf(() => new Conv2D(untyped({ filters: 3, groups: 2 })))).toContain("not supported");
    expect(configErrorOf(() => new Dense(untyped({ units: 3, dilation_rate: 2 }))))
      .toContain("Dense: unknown option 'dilation_rate'; Keras' 'dilationRate' is not supported: dilated convolutions");
    expect(configErrorOf(() => new SGD(untyped({ nesterov: true })))).toContain("SGD: unknown option 'nesterov'; this Keras option is not supported");
    expect(configErrorOf(() => new Adam(untyped({ lr: 0.1 })))).toContain("Adam: unknown option 'lr'; did you mean 'learningRate'?");
    expect(configErrorOf(() => new Conv2DTranspose(untyped({ filters: 3, output_padding: 1 }))))
      .toContain("Conv2DTranspose: unknown option 'output_padding'; did you mean 'outputPadding'?");
    expect(configErrorOf(() => new Conv2D(untyped({ filters: 3, outputPadding: 1 }))))
      .toContain("Conv2D: unknown option 'outputPadding'; this Keras option is not supported: output padding is Conv2DTranspose's option only");
    expect(configErrorOf(() => new Conv2DTranspose(untyped({ filters: 3, dilationRate: 2 }))))
      .toBe("Conv2DTranspose: dilationRate above 1 is not supported");
  });

  it("spreading a partial config with undefined holes is fine", () => {
    const partial: Partial<Conv2DConfig> = { kernelSize: undefined, padding: undefined };
    expect(new Conv2D({ filters: 2, ...partial }).kernelSize).toEqual([3, 3]);
  });

  it("getConfig() round-trips through the constructor of its className", () => {
    const byClassName: Record<string, (c: never) => Layer> = {
      Conv2D: (c) => new Conv2D(c), Conv2DTranspose: (c) => new Conv2DTranspose(c), DepthwiseConv2D: (c) => new DepthwiseConv2D(c), Dense: (c) => new Dense(c), MaxPooling2D: (c) => new MaxPool2D(c),
      AveragePooling2D: (c) => new AvgPool2D(c), GlobalAveragePooling2D: (c) => new GlobalAvgPool2D(c),
      Flatten: (c) => new Flatten(c), Activation: (c) => new Activation(c), ReLU: (c) => new ReLU(c),
      LeakyReLU: (c) => new LeakyReLU(c), Softmax: (c) => new Softmax(c), Dropout: (c) => new Dropout(c),
    };
    const layers: Layer[] = [new Conv2D(conv2d), new Conv2DTranspose(transpose), new DepthwiseConv2D(depthwise), new Dense(dense), new MaxPool2D(pool), new AvgPool2D(pool),
      new GlobalAvgPool2D(layer), new Flatten(layer), new Activation(activation), new ReLU(layer), new ReLU(relu),
      new ReLU({ negativeSlope: 0.25 }),
      new LeakyReLU(leaky), new Sigmoid(layer), new Tanh(layer), new Softmax(layer), new Dropout(dropout)];
    for (const l of layers) {
      const again = byClassName[l.className]!(untyped(l.getConfig()));
      expect(again.getConfig()).toEqual(l.getConfig());
    }
    expect(new SGD(new SGD(sgd).getConfig()).getConfig()).toEqual(sgd);
    expect(new Adam(new Adam(adam).getConfig()).getConfig()).toEqual(adam);
  });

  it("a ConfigError from a constructor is a CnnError", () => {
    expect(() => new Flatten(untyped({ x: 1 }))).toThrow(CnnError);
  });
});
