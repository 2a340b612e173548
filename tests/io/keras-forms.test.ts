// Small hand-written Keras JSON in the forms the fixtures do not cover, with
// outputs computed by hand: a Keras 3 Sequential (InputLayer batch_shape,
// DTypePolicy, module keys), a Keras 2.0 Sequential whose config is the bare
// list of layers, Keras 3's `leaky_relu` activation string, a Keras
// Conv2DTranspose (and the configs of it we refuse), and initializer names
// both ways.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Dense, init, loadModel, Sequential, type Tensor } from "../../src/index.node.js";
import { LIBRARY_VERSION } from "../../src/io/format.js";
import { initializerFromKeras, initializerToKeras } from "../../src/io/keras-names.js";
import { KNOWN_ANSWER_ABS } from "../tolerances.js";

const POLICY = { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null };
/** Dense 3 -> 2, kernel [[1, 2], [3, 4], [5, 6]], bias [0.5, -0.5]: x = [1, 1, 1] gives [9.5, 11.5]. */
const KERNEL = new Float32Array([1, 2, 3, 4, 5, 6]);
const BIAS = new Float32Array([0.5, -0.5]);
const weightsOf = (...arrays: Float32Array[]): ArrayBuffer => {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out.buffer;
};
const manifest = (prefix: string) => [{
  paths: ["group1-shard1of1.bin"],
  weights: [{ name: `${prefix}dense/kernel`, shape: [3, 2], dtype: "float32" }, { name: `${prefix}dense/bias`, shape: [2], dtype: "float32" }],
}];
const predict1 = (model: { predict(x: Float32Array): unknown }): number[] =>
  Array.from((model.predict(new Float32Array([1, 1, 1])) as Tensor).toArray());

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("Keras forms", () => {
  it("a Keras 3 Sequential: InputLayer batch_shape, DTypePolicy, module / registered_name / build_config", async () => {
    const modelJson = {
      format: "layers-model", generatedBy: "keras v3.6.0", convertedBy: "TensorFlow.js Converter v4.22.0",
      modelTopology: {
        keras_version: "3.6.0", backend: "tensorflow",
        model_config: {
          module: "keras", class_name: "Sequential", registered_name: null,
          config: {
            name: "sequential", trainable: true, dtype: POLICY,
            layers: [
              { module: "keras.layers", class_name: "InputLayer", config: { batch_shape: [null, 3], dtype: "float32", sparse: false, name: "input_layer" }, registered_name: null },
              { module: "keras.layers", class_name: "Dense", registered_name: null, build_config: { input_shape: [null, 3] },
                config: { name: "dense", trainable: true, dtype: POLICY, units: 2, activation: "relu", use_bias: true,
                  kernel_initializer: { module: "keras.initializers", class_name: "GlorotUniform", config: { seed: null }, registered_name: null },
                  bias_initializer: { module: "keras.initializers", class_name: "Zeros", config: {}, registered_name: null },
                  kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, lora_rank: null } },
            ],
            build_input_shape: [null, 3],
          },
          build_config: { input_shape: [null, 3] },
        },
      },
      weightsManifest: manifest("sequential/"),
    };
    const model = await loadModel(modelJson, weightsOf(KERNEL, BIAS));
    expect(model).toBeInstanceOf(Sequential);
    expect(model.inputShape).toEqual([3]);
    predict1(model).forEach((v, i) => expect(v).toBeCloseTo([9.5, 11.5][i]!, 5));
    model.dispose();
  });

  it("a Keras 2.0 Sequential whose config is the bare list of layers, batch_input_shape on the first", async () => {
    const modelJson = {
      modelTopology: {
        class_name: "Sequential",
        config: [{ class_name: "Dense", config: { name: "dense", units: 2, activation: "linear", batch_input_shape: [null, 3] } }],
      },
      weightsManifest: manifest(""),
    };
    const model = await loadModel(modelJson, [new Uint8Array(weightsOf(KERNEL, BIAS))]);
    expect(predict1(model)).toEqual([9.5, 11.5]);
    model.dispose();
  });

  it("Keras 3's leaky_relu activation string has slope 0.2", async () => {
    const modelJson = {
      modelTopology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Dense", config: { name: "dense", units: 2, activation: "leaky_relu", use_bias: false, batch_input_shape: [null, 3] } }] },
      },
      weightsManifest: [{ paths: ["w.bin"], weights: [{ name: "dense/kernel", shape: [3, 2], dtype: "float32" }] }],
    };
    const model = await loadModel(modelJson, weightsOf(KERNEL.map((v) => -v)));
    const y = predict1(model);
    [-9 * 0.2, -12 * 0.2].forEach((v, i) => expect(Math.abs(y[i]! - v)).toBeLessThanOrEqual(KNOWN_ANSWER_ABS));
    model.dispose();
  });

  it("relu6 as an activation string and ReLU's max_value / negative_slope / threshold, both ways", async () => {
    // Dense [9.5, 11.5] -> relu6 [6, 6]; negated kernel and bias [-9.5, -11.5] -> ReLU(max 6) 0, then 0.
    const layersJson = (activation: string, relu: Record<string, unknown>) => ({
      modelTopology: {
        class_name: "Sequential",
        config: { layers: [
          { class_name: "Dense", config: { name: "dense", units: 2, activation, use_bias: true, batch_input_shape: [null, 3] } },
          { class_name: "ReLU", config: { name: "re_lu", ...relu } },
        ] },
      },
      weightsManifest: manifest(""),
    });
    const capped = await loadModel(layersJson("relu6", { max_value: 10, negative_slope: 0, threshold: 0 }), weightsOf(KERNEL, BIAS));
    expect(predict1(capped)).toEqual([6, 6]);
    const saved = await capped.save();
    const layers = (saved.modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } })
      .config.layers.filter((l) => l.class_name !== "InputLayer");
    expect(layers[0]!.config.activation).toBe("relu6");
    expect(layers[1]!.config).toMatchObject({ max_value: 10, negative_slope: 0, threshold: 0 });
    const again = await loadModel(saved.modelJson, saved.weights);
    expect(predict1(again)).toEqual([6, 6]);
    [capped, again].forEach((m) => m.dispose());

    // x = [1, 1, 1] with kernel and bias negated: [-9.5, -11.5]; a Keras ReLU with slope 0.1 -> [-0.95, -1.15].
    const leaky = await loadModel(layersJson("linear", { max_value: null, negative_slope: 0.1 }),
      weightsOf(KERNEL.map((v) => -v), BIAS.map((v) => -v)));
    predict1(leaky).forEach((v, i) => expect(Math.abs(v - [-0.95, -1.15][i]!)).toBeLessThanOrEqual(KNOWN_ANSWER_ABS));
    leaky.dispose();

    await expect(loadModel(layersJson("linear", { threshold: 1 }), weightsOf(KERNEL, BIAS))).rejects.toThrow(/threshold.*not supported/);
    await expect(loadModel(layersJson("linear", { max_value: 6, negative_slope: 0.1 }), weightsOf(KERNEL, BIAS)))
      .rejects.toThrow(/negative_slope: 0.1 together with max_value 6 is not supported/);
  });

  it("hard_sigmoid is tfjs' / Keras 2's 0.2 x + 0.5; a Keras 3 file's (x / 6 + 0.5) is refused", async () => {
    const json = (dtype: unknown) => ({
      modelTopology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Dense", config: { name: "dense", units: 2, activation: "hard_sigmoid", use_bias: true, dtype,
          batch_input_shape: [null, 3] } }] },
      },
      weightsManifest: manifest(""),
    });
    // x = [1, 1, 1] with kernel / 20 and bias 0: [0.45, 0.6] -> 0.2 x + 0.5 = [0.59, 0.62].
    const model = await loadModel(json("float32"), weightsOf(KERNEL.map((v) => v / 20), new Float32Array(2)));
    predict1(model).forEach((v, i) => expect(Math.abs(v - [0.59, 0.62][i]!)).toBeLessThanOrEqual(KNOWN_ANSWER_ABS));
    model.dispose();
    await expect(loadModel(json(POLICY), weightsOf(KERNEL, BIAS))).rejects.toThrow(/Keras 3's hard_sigmoid \(x \/ 6 \+ 0.5\) is not supported/);
  });

  it("a Keras Conv2DTranspose: kernel [kh, kw, filters, in], deconv_length sizes, 'silu'; dilation and groups refused", async () => {
    // 1x2x1 input [1, 2], kernel 2x2x1x1 [1, 2, 3, 4], stride 2 'valid': each pixel spreads its
    // value times the kernel over its own 2x2 block, so the 2x4 output is [1 2 2 4 / 3 4 6 8] + bias 0.5.
    const json = (extra: Record<string, unknown>, activation = "linear") => ({
      modelTopology: {
        class_name: "Sequential",
        config: { layers: [{ class_name: "Conv2DTranspose", config: {
          name: "up", filters: 1, kernel_size: [2, 2], strides: [2, 2], padding: "valid", data_format: "channels_last",
          dilation_rate: [1, 1], output_padding: null, groups: 1, activation, use_bias: true, batch_input_shape: [null, 1, 2, 1],
          ...extra,
        } }] },
      },
      weightsManifest: [{ paths: ["w.bin"], weights: [
        { name: "up/kernel", shape: [2, 2, 1, 1], dtype: "float32" }, { name: "up/bias", shape: [1], dtype: "float32" }] }],
    });
    const weights = () => weightsOf(Float32Array.of(1, 2, 3, 4), Float32Array.of(0.5));
    const model = await loadModel(json({}), weights());
    expect(model.outputShape).toEqual([2, 4, 1]);
    expect(Array.from((model.predict(Float32Array.of(1, 2)) as Tensor).toArray())).toEqual([1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5]);
    const saved = await model.save();
    const layer = (saved.modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } })
      .config.layers.find((l) => l.class_name === "Conv2DTranspose")!;
    expect(layer.config).toMatchObject({ filters: 1, kernel_size: [2, 2], strides: [2, 2], padding: "valid", output_padding: null,
      dilation_rate: [1, 1], use_bias: true, activation: "linear" });
    model.dispose();
    // Keras 3 writes swish as 'silu'.
    const silu = await loadModel(json({}, "silu"), weights());
    const y = Array.from((silu.predict(Float32Array.of(1, 2)) as Tensor).toArray());
    [1.5, 2.5, 2.5, 4.5, 3.5, 4.5, 6.5, 8.5].forEach((v, i) =>
      expect(Math.abs(y[i]! - v / (1 + Math.exp(-v)))).toBeLessThanOrEqual(KNOWN_ANSWER_ABS));
    silu.dispose();
    await expect(loadModel(json({ dilation_rate: [2, 2] }), weights())).rejects.toThrow(/config.dilation_rate: .* is not supported: simdcnn implements dilation_rate 1 only/);
    await expect(loadModel(json({ groups: 2 }), weights())).rejects.toThrow(/groups: 2 is not supported/);
  });

  it("initializers map to Keras class names and back; unknown ones fall back (weights come from the file)", async () => {
    expect(initializerToKeras("heNormal")).toEqual({ class_name: "HeNormal", config: { seed: null } });
    expect(initializerToKeras("zeros")).toEqual({ class_name: "Zeros", config: {} });
    expect(initializerFromKeras({ class_name: "HeUniform", config: { seed: null } }, "zeros")).toBe("heUniform");
    expect(initializerFromKeras("glorot_normal", "zeros")).toBe("glorotNormal");
    expect(initializerFromKeras({ class_name: "LeCunNormal", config: {} }, "zeros")).toBe("lecunNormal");
    expect(initializerFromKeras({ class_name: "VarianceScaling", config: { scale: 2, mode: "fan_in", distribution: "uniform" } }, "zeros")).toBe("heUniform");
    expect(initializerFromKeras(initializerToKeras("lecunUniform"), "zeros")).toBe("lecunUniform");
    expect(initializerFromKeras({ class_name: "RandomNormal", config: { stddev: 0.05 } }, "glorotUniform")).toBe("glorotUniform");
    const model = new Sequential([new Dense({ units: 2, kernelInitializer: "heNormal", name: "dense" })], { inputShape: [3] });
    const { modelJson, weights } = await model.save();
    const copy = await loadModel(modelJson, weights);
    expect((copy.getLayer("dense") as Dense).kernelInitializer).toBe("heNormal");
    model.dispose();
    copy.dispose();
  });

  it("generatedBy names this version of simdcnn", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(LIBRARY_VERSION).toBe(pkg.version);
    const model = new Sequential([new Dense({ units: 1 })], { inputShape: [2] });
    const { modelJson } = await model.save();
    expect(modelJson.generatedBy).toBe(`simdcnn v${pkg.version}`);
    const first = (modelJson.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0]!;
    expect(first.config["batch_input_shape"]).toEqual([null, 2]);
    model.dispose();
  });
});
