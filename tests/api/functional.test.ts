// The functional API: input(), layer.apply(), Model({ inputs, outputs }),
// several inputs and outputs, getLayer, per-layer weights (trainable or
// not), the Keras summary with "Connected to", the errors a graph can get
// wrong, and dispose() from a fit callback.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Add, BatchNormalization, ConfigError, Concatenate, Conv2D, Dense, Flatten, GlobalAvgPool2D, init, input,
  InputLayer, memory, Model, ReLU, Sequential, ShapeError, Tensor,
} from "simdcnn";
import { ramp } from "./models.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

/** conv -> BN -> relu -> conv, a residual Add, GAP, softmax: the README's example. */
function residual(): Model {
  const inp = input({ shape: [8, 8, 3] });
  let x = new Conv2D({ filters: 4, kernelSize: 3, padding: "same", useBias: false }).apply(inp);
  x = new BatchNormalization().apply(x);
  x = new ReLU().apply(x);
  const y = new Conv2D({ filters: 4, kernelSize: 3, padding: "same" }).apply(x);
  const out = new Dense({ units: 3, activation: "softmax" }).apply(new GlobalAvgPool2D().apply(new Add().apply([x, y])));
  return new Model({ inputs: inp, outputs: out });
}

describe("building a graph", () => {
  it("names, orders and counts layers as Keras does", () => {
    const model = residual();
    expect(model.className).toBe("Model");
    expect(model.layers.map((l) => l.name)).toEqual([
      "input_1", "conv2d_1", "batch_normalization_1", "re_lu_1", "conv2d_2", "add_1",
      "global_average_pooling2d_1", "dense_1",
    ]);
    expect(model.layers[0]).toBeInstanceOf(InputLayer);
    // conv 3*3*3*4, BN 4 x 4 (2 trainable), conv 3*3*4*4 + 4, dense 4*3 + 3
    expect(model.countParams()).toBe(108 + 16 + 148 + 15);
    const bn = model.getLayer("batch_normalization_1");
    expect(bn.weights().map((w) => [w.name, w.trainable])).toEqual([
      ["gamma", true], ["beta", true], ["moving_mean", false], ["moving_variance", false],
    ]);
    expect(bn.getWeights().map((w) => Array.from(w))).toEqual([[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 1]]);
    expect(model.getWeights().map((w) => w.length)).toEqual([108, 4, 4, 4, 4, 144, 4, 12, 3]);
    expect(() => model.getLayer("nope")).toThrow(/no layer named "nope"; the layers are 'input_1'/);
    model.dispose();
  });

  it("prints Keras' summary with Connected to and the non-trainable count", () => {
    const model = residual();
    const text = model.summary();
    expect(text).toContain("Connected to");
    expect(text).toMatch(/add_1 \(Add\)\s+\[null,8,8,4\]\s+0\s+re_lu_1\[0\]\[0\]\n\s+conv2d_2\[0\]\[0\]/);
    expect(text).toContain("Total params: 287");
    expect(text).toContain("Trainable params: 279");
    expect(text).toContain("Non-trainable params: 8");
    expect(model.summaryRows()[0]).toEqual({
      name: "input_1", className: "InputLayer", outputShape: [null, 8, 8, 3], params: 0, connectedTo: [],
    });
    model.dispose();
  });

  it("runs two inputs and two outputs", () => {
    const image = input({ shape: [4, 4, 1], name: "image" });
    const meta = input({ shape: [2], name: "meta" });
    const f = new Flatten().apply(image);
    const joined = new Concatenate().apply([f, meta]);
    const a = new Dense({ units: 2, name: "a" }).apply(joined);
    const b = new Dense({ units: 1, name: "b" }).apply(joined);
    const model = new Model({ inputs: [image, meta], outputs: [a, b] });
    const ys = model.predict([ramp(2 * 16), ramp(2 * 2, 5)]);
    expect(ys.map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
    expect(() => model.predict(ramp(16))).toThrow(/expects an array of 2 inputs/);
    expect(() => model.predict([ramp(16), ramp(4)])).toThrow(/disagree on the batch size: 1, 2/);
    // Training needs one output.
    expect(() => model.compile({ optimizer: "sgd", loss: "meanSquaredError" })).toThrow(ConfigError);
    model.dispose();
  });

  it("a single-output model made with an array of outputs returns an array", () => {
    const x = input({ shape: [3] });
    const model = new Model({ inputs: [x], outputs: [new Dense({ units: 2 }).apply(x)] });
    const ys = model.predict(Float32Array.of(1, 2, 3));
    expect(Array.isArray(ys)).toBe(true);
    expect((ys as Tensor[])[0]!.shape).toEqual([1, 2]);
    model.dispose();
  });

  it("rejects graphs that cannot run, naming what is wrong", () => {
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const sum = new Add().apply([a, new Dense({ units: 3 }).apply(b)]);
    expect(() => new Model({ inputs: a, outputs: sum })).toThrow(/graph disconnected: .*input_?\d*|graph disconnected/);
    expect(() => new Model({ inputs: new Dense({ units: 3 }).apply(a), outputs: sum })).toThrow(/not from input\(\)/);
    expect(() => new Add().apply([a])).toThrow(/at least 2 inputs/);
    expect(() => new Add().apply([a, input({ shape: [4] })])).toThrow(ShapeError);
    const shared = new Dense({ units: 2 });
    shared.apply(a);
    expect(() => shared.apply(input({ shape: [5] }))).toThrow(/shared layer must get the input shapes of its first call/);
    expect(() => new Concatenate({ axis: 0 }).apply([a, b])).toThrow(/the batch axis/);
    expect(() => new Dense({ units: 2 }).apply(ramp(3) as never)).toThrow(/apply expects symbolic tensors/);
  });

  it("a layer belongs to one model", () => {
    const x = input({ shape: [3] });
    const dense = new Dense({ units: 2 });
    const y = dense.apply(x);
    const model = new Model({ inputs: x, outputs: y });
    expect(() => new Model({ inputs: x, outputs: y })).toThrow(/already belongs to another model/);
    expect(() => new Sequential([dense], { inputShape: [3] })).toThrow(/already belongs to another model/);
    model.dispose();
  });

  it("layer.setWeights checks every array before writing any", () => {
    const model = residual();
    const conv = model.getLayer("conv2d_2");
    const before = conv.getWeights();
    expect(() => conv.setWeights([before[0]!, new Float32Array(3)])).toThrow(/bias \[4\] and needs 4 values, got 3/);
    expect(conv.getWeights()).toEqual(before);
    expect(() => conv.setWeights([before[0]!])).toThrow(/setWeights expects 2 arrays \(kernel, bias\), got 1/);
    model.dispose();
  });
});

describe("options are checked, with a suggestion", () => {
  it.each([
    [() => new BatchNormalization({ moment: 0.9 } as never), "BatchNormalization: unknown option 'moment'; did you mean 'momentum'?"],
    [() => new Concatenate({ axes: 1 } as never), "Concatenate: unknown option 'axes'; did you mean 'axis'?"],
    [() => new Add({ axis: 1 } as never), "Add: unknown option 'axis'"],
    [() => input({ shape: [3], batch_size: 2 } as never), "input: unknown option 'batch_size'"],
    [() => new Model({ inputs: input({ shape: [3] }), output: null } as never), "Model: unknown option 'output'; did you mean 'outputs'?"],
    [() => new Sequential([new Dense({ units: 1 })], { input_shape: [3] } as never), "Sequential: unknown option 'input_shape'; did you mean 'inputShape'?"],
  ])("%#", (make, text) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(text);
  });

  it("compile, fit and evaluate options too", async () => {
    const model = residual();
    expect(() => model.compile({ optimizer: "sgd", los: "meanSquaredError" } as never)).toThrow(/unknown option 'los'; did you mean 'loss'\?/);
    model.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const x = ramp(8 * 8 * 3);
    await expect(model.fit(x, [1], { epoch: 2 } as never)).rejects.toThrow(/unknown option 'epoch'; did you mean 'epochs'\?/);
    expect(() => model.evaluate(x, [1], { batch_size: 1 } as never)).toThrow(/unknown option 'batch_size'; did you mean 'batchSize'\?/);
    model.dispose();
  });
});

describe("dispose", () => {
  it("from a fit callback, with validationData: fit ends, nothing stays allocated", async () => {
    const start = memory().blocks;
    const model = residual();
    model.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    const x = ramp(6 * 8 * 8 * 3);
    const labels = Float32Array.of(0, 1, 2, 0, 1, 2);
    let batches = 0;
    const history = await model.fit(x, labels, {
      epochs: 3, batchSize: 2, validationData: [x, labels],
      onBatchEnd: (b) => {
        batches++;
        if (b === 1) model.dispose();
      },
    });
    expect(batches).toBe(2);
    expect(history.valLoss).toEqual([]);
    expect(model.isDisposed).toBe(true);
    expect(memory().blocks).toBe(start);
  });
});
