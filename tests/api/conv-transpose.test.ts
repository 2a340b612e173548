// Conv2DTranspose's API: output sizes (Keras' deconv_length, kernels below,
// at and above the stride), Keras weight names and shapes ([kh, kw, filters,
// in]), parameter counts and the summary row, the default initializer's
// fans, option errors, and swish accepted by name wherever an activation is.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Activation, ConfigError, Conv2D, Conv2DTranspose, Dense, DepthwiseConv2D, init, input, Model, SeparableConv2D,
  Sequential, ShapeError,
} from "simdcnn";

beforeAll(async () => {
  await init({ backend: "js" });
});

const untyped = (c: object): never => c as never;

describe("Conv2DTranspose", () => {
  it.each([
    [{ filters: 2, kernelSize: 3 }, [5, 7, 3], [7, 9, 2]],                                   // (in - 1) * 1 + 3
    [{ filters: 2, kernelSize: 3, strides: 2 }, [5, 7, 3], [11, 15, 2]],                     // (in - 1) * 2 + 3
    [{ filters: 2, kernelSize: 3, strides: 2, padding: "same" as const }, [5, 7, 3], [10, 14, 2]], // in * 2
    [{ filters: 4, kernelSize: 1, strides: 3 }, [4, 2, 1], [12, 6, 4]],                      // kernel < stride: in * 3
    [{ filters: 1, kernelSize: [4, 2] as [number, number], strides: [2, 3] as [number, number] }, [3, 3, 2], [8, 9, 1]],
    [{ filters: 1, kernelSize: 5, padding: "same" as const }, [1, 1, 1], [1, 1, 1]],
  ])("%o on %o gives %o", (config, inputShape, out) => {
    const model = new Sequential([new Conv2DTranspose(config)], { inputShape });
    expect(model.outputShape).toEqual(out);
    model.dispose();
  });

  it("has Keras' weights: kernel [kh, kw, filters, in], bias [filters]; countParams and summary()", () => {
    const layer = new Conv2DTranspose({ filters: 4, kernelSize: [3, 2], strides: 2, padding: "same", name: "up" });
    const model = new Sequential([layer], { inputShape: [5, 6, 3] });
    expect(layer.weights().map((w) => [w.name, w.shape])).toEqual([["kernel", [3, 2, 4, 3]], ["bias", [4]]]);
    expect(model.countParams()).toBe(3 * 2 * 4 * 3 + 4);
    const row = model.summaryRows().find((r) => r.name === "up")!;
    expect(row).toMatchObject({ className: "Conv2DTranspose", outputShape: [null, 10, 12, 4], params: 76 });
    expect(model.summary()).toMatch(/up \(Conv2DTranspose\)\s+\[null,10,12,4\]\s+76/);
    const noBias = new Conv2DTranspose({ filters: 2, kernelSize: 2, useBias: false });
    const m2 = new Sequential([noBias], { inputShape: [3, 3, 5] });
    expect(m2.countParams()).toBe(2 * 2 * 2 * 5);
    [model, m2].forEach((m) => m.dispose());
  });

  it("draws glorotUniform within sqrt(6 / (kh*kw*filters + kh*kw*in)), filling most of that range", () => {
    const layer = new Conv2DTranspose({ filters: 2, kernelSize: 3, seed: 5 });
    const model = new Sequential([layer], { inputShape: [4, 4, 16] });
    const limit = Math.sqrt(6 / (9 * 2 + 9 * 16));
    const max = Math.max(...layer.getWeights()[0]!.map(Math.abs));
    expect(max).toBeLessThanOrEqual(limit);
    expect(max).toBeGreaterThan(0.95 * limit);
    model.dispose();
  });

  it("rejects bad options, Keras options it does not implement, and inputs that are not images", () => {
    for (const kernelSize of [0, 2.5, -1, [3], [3, 0], "3"]) {
      expect(() => new Conv2DTranspose(untyped({ filters: 2, kernelSize }))).toThrow(/Conv2DTranspose: kernelSize must be/);
    }
    expect(() => new Conv2DTranspose(untyped({ filters: 0 }))).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(untyped({ filters: 2, strides: 0 }))).toThrow(/strides must be a positive integer/);
    expect(() => new Conv2DTranspose(untyped({ filters: 2, padding: "full" }))).toThrow(/padding must be 'valid' or 'same'/);
    expect(() => new Conv2DTranspose(untyped({ filters: 2, activation: "gelu" }))).toThrow(/unknown activation "gelu"/);
    expect(() => new Conv2DTranspose(untyped({ filters: 2, dilationRate: 2 }))).toThrow(ConfigError);
    expect(() => new Conv2DTranspose(untyped({ filters: 2, kernelSise: 2 }))).toThrow(/did you mean 'kernelSize'/);
    expect(() => new Sequential([new Conv2DTranspose({ filters: 2 })], { inputShape: [6, 6] })).toThrow(ShapeError);
  });
});

describe("swish by name", () => {
  it("is accepted wherever an activation is, and listed in the unknown-activation message", () => {
    const inp = input({ shape: [4, 4, 2] });
    let x = new Conv2D({ filters: 2, padding: "same", activation: "swish" }).apply(inp);
    x = new DepthwiseConv2D({ kernelSize: 3, padding: "same", activation: "swish" }).apply(x);
    x = new SeparableConv2D({ filters: 2, kernelSize: 3, padding: "same", activation: "swish" }).apply(x);
    x = new Conv2DTranspose({ filters: 2, kernelSize: 2, strides: 2, activation: "swish" }).apply(x);
    x = new Activation({ activation: "swish" }).apply(x);
    const model = new Model({ inputs: inp, outputs: new Dense({ units: 2, activation: "swish" }).apply(x) });
    expect(model.layers.slice(1).map((l) => (l.getConfig() as { activation?: string }).activation)).toEqual(Array(6).fill("swish"));
    model.dispose();
    expect(() => new Dense(untyped({ units: 2, activation: "silu" }))).toThrow(/'swish'/);
  });
});
