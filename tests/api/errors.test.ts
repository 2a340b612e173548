// Every user-facing error: its type AND what its message says.
import { beforeAll, describe, expect, it } from "vitest";
import {
  CnnError, ConfigError, Conv2D, Dense, DisposedError, Dropout, Flatten, init, LeakyReLU, MaxPool2D,
  memory, OutOfMemoryError, Sequential, ShapeError, tensor,
} from "simdcnn";
import { lenet5, ramp, tinyDense } from "./models.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

/** Runs `fn`, expects it to throw an instance of `type`, and returns the message. */
function messageOf(fn: () => unknown, type: abstract new (...args: never[]) => Error): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    expect(e).toBeInstanceOf(CnnError);
    expect((e as Error).name).toBe(type.name);
    return (e as Error).message;
  }
  throw new Error("expected a throw");
}

describe("predict input checks", () => {
  it("wrong Float32Array length: ShapeError naming the per-sample size and what came", () => {
    const model = lenet5();
    const msg = messageOf(() => model.predict(new Float32Array(100)), ShapeError);
    expect(msg).toMatch(/Sequential 'sequential_\d+'/);
    expect(msg).toContain("100 floats");
    expect(msg).toContain("784");
    expect(msg).toContain("[28,28,1]");
    expect(messageOf(() => model.predict(new Float32Array(0)), ShapeError)).toContain("0 floats");
  });

  it("wrong tensor shape: ShapeError with the expected and received shapes", () => {
    const model = lenet5();
    const x = tensor(new Float32Array(28 * 28 * 3), [1, 28, 28, 3]);
    const msg = messageOf(() => model.predict(x), ShapeError);
    expect(msg).toContain("[batch,28,28,1]");
    expect(msg).toContain("got [1,28,28,3]");
    const flat = tensor(new Float32Array(784), [784]);
    expect(messageOf(() => model.predict(flat), ShapeError)).toContain("got [784]");
  });

  it("tensor(): data length must match the shape", () => {
    const msg = messageOf(() => tensor(new Float32Array(5), [2, 3]), ShapeError);
    expect(msg).toContain("[2,3] holds 6 values, but data has 5");
    expect(messageOf(() => tensor([1], [-1]), ShapeError)).toContain("non-negative integers");
  });
});

describe("build-time shape errors", () => {
  it("kernel larger than a 'valid' input", () => {
    const msg = messageOf(() => new Sequential([new Conv2D({ filters: 2, kernelSize: 5 })], { inputShape: [4, 4, 1] }),
      ShapeError);
    expect(msg).toContain("Conv2D 'conv2d_1'");
    expect(msg).toContain("kernel 5x5 is larger than the 4x4 input");
  });

  it("a pool window larger than a 'valid' input, deep in the model", () => {
    const msg = messageOf(() => new Sequential([
      new Conv2D({ filters: 2, kernelSize: 3 }),
      new MaxPool2D({ poolSize: 3 }),
    ], { inputShape: [4, 4, 1] }), ShapeError);
    expect(msg).toContain("MaxPooling2D 'max_pooling2d_1'");
    expect(msg).toContain("pool window 3x3 is larger than the 2x2 input");
  });

  it("a conv after a flatten: wrong rank", () => {
    const msg = messageOf(() => new Sequential([new Flatten(), new Conv2D({ filters: 2 })], { inputShape: [4, 4, 1] }),
      ShapeError);
    expect(msg).toContain("expects input [height, width, channels], got [16]");
  });

  it("'same' padding accepts a kernel larger than the input", () => {
    const model = new Sequential([new Conv2D({ filters: 2, kernelSize: 5, padding: "same" })], { inputShape: [3, 3, 1] });
    expect(model.outputShape).toEqual([3, 3, 2]);
  });
});

describe("config errors", () => {
  it.each([
    [() => new Conv2D({ filters: 0 }), "Conv2D: filters must be a positive integer, got 0"],
    [() => new Conv2D({ filters: 2.5 }), "filters must be a positive integer, got 2.5"],
    [() => new Conv2D({ filters: 4, kernelSize: [3, 0] }), "kernelSize must be a positive integer, got 0"],
    [() => new Conv2D({ filters: 4, strides: -1 }), "strides must be a positive integer, got -1"],
    [() => new Dense({ units: -3 }), "Dense: units must be a positive integer, got -3"],
    [() => new MaxPool2D({ poolSize: 0 }), "poolSize must be a positive integer, got 0"],
    [() => new Dropout({ rate: 1 }), "Dropout: rate must be a number in [0, 1), got 1"],
    [() => new Conv2D({ filters: 4, padding: "full" as "same" }), "padding must be 'valid' or 'same', got \"full\""],
    [() => new LeakyReLU({ alpha: Number.NaN }), "alpha must be a finite number"],
  ])("non-positive or invalid sizes throw ConfigError (%#)", (make, text) => {
    expect(messageOf(make, ConfigError)).toContain(text);
  });

  it("unknown activation: ConfigError listing the accepted names", () => {
    const msg = messageOf(() => new Dense({ units: 3, activation: "gelu" as "relu" }), ConfigError);
    expect(msg).toContain("Dense: unknown activation \"gelu\"");
    for (const name of ["linear", "relu", "sigmoid", "tanh", "softmax", "leakyRelu"]) expect(msg).toContain(`'${name}'`);
  });

  it("non-positive input shape", () => {
    const msg = messageOf(() => new Sequential([new Flatten()], { inputShape: [0, 28, 1] }), ConfigError);
    expect(msg).toContain("inputShape must be a non-empty array of positive integers");
    expect(msg).toContain("[0,28,1]");
  });

  it("empty layer list, reused layer, duplicate names", () => {
    expect(messageOf(() => new Sequential([], { inputShape: [3] }), ConfigError)).toContain("non-empty array of layers");
    const dense = new Dense({ units: 2 });
    new Sequential([dense], { inputShape: [3] });
    expect(messageOf(() => new Sequential([dense], { inputShape: [3] }), ConfigError)).toContain("already belongs to another model");
    expect(messageOf(() => new Sequential([new Dense({ units: 2, name: "a" }), new Dense({ units: 2, name: "a" })],
      { inputShape: [3] }), ConfigError)).toContain("two layers are named 'a'");
  });
});

describe("use after dispose and stale tensors", () => {
  it("a disposed model refuses use", () => {
    const model = tinyDense();
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(messageOf(() => model.predict([1, 2, 3]), DisposedError)).toMatch(/cannot predict: the model was disposed/);
    expect(messageOf(() => model.getWeights(), DisposedError)).toContain("disposed");
    expect(messageOf(() => model.setWeights([]), DisposedError)).toContain("disposed");
    expect(messageOf(() => model.summary(), DisposedError)).toContain("disposed");
    model.dispose(); // twice is harmless
  });

  it("a predict result goes stale after the next predict; toArray() copies survive", () => {
    const model = tinyDense();
    const y1 = model.predict([1, 2, 3]);
    const kept = y1.toArray();
    const y2 = model.predict([4, 5, 6]);
    expect(y1.isDisposed).toBe(true);
    const msg = messageOf(() => y1.toArray(), DisposedError);
    expect(msg).toContain("Tensor [1,2] returned by predict()");
    expect(msg).toContain("is stale");
    expect(msg).toContain("toArray()");
    expect(kept).toEqual(model.predict([1, 2, 3]).toArray());
    expect(() => y2.toArray()).toThrow(DisposedError);
  });

  it("a predict result goes stale when the model is disposed", () => {
    const model = tinyDense();
    const y = model.predict([1, 2, 3]);
    model.dispose();
    expect(() => y.toArray()).toThrow(DisposedError);
  });

  it("a disposed tensor cannot be read or fed to predict", () => {
    const model = lenet5();
    const x = tensor(ramp(784), [1, 28, 28, 1]);
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(messageOf(() => x.toArray(), DisposedError)).toContain("Tensor [1,28,28,1] was disposed");
    expect(() => model.predict(x)).toThrow(DisposedError);
  });

  it("a failed predict leaves the model usable and earlier results valid", () => {
    const model = tinyDense();
    const y = model.predict([1, 2, 3]);
    const values = y.toArray();
    expect(() => model.predict([1, 2])).toThrow(ShapeError);
    expect(y.toArray()).toEqual(values);
    expect(model.predict([1, 2, 3]).toArray()).toEqual(values);
  });
});

describe("out of memory", () => {
  it("a layer too big for wasm32 memory: OutOfMemoryError naming the request, nothing leaked", () => {
    const before = memory();
    // 16 x 2^28 floats = 16 GiB: beyond the 4 GiB wasm32 address space.
    const msg = messageOf(() => new Sequential([new Dense({ units: 2 ** 28 })], { inputShape: [16] }), OutOfMemoryError);
    expect(msg).toContain(`cannot allocate ${16 * 2 ** 28 * 4} bytes`);
    expect(memory().bytesInUse).toBe(before.bytesInUse);
  });

  it("a batch too big to plan: OutOfMemoryError, and the model keeps working", () => {
    const model = new Sequential([new Dense({ units: 2 ** 16 })], { inputShape: [3] });
    const y = model.predict([1, 2, 3]).toArray();
    // 20000 samples x 2^16 outputs x 4 bytes = 5 GiB of output buffer.
    expect(() => model.predict(new Float32Array(20000 * 3))).toThrow(OutOfMemoryError);
    expect(model.batchCapacity).toBe(1);
    expect(model.predict([1, 2, 3]).toArray()).toEqual(y);
    model.dispose();
  });
});
