// DepthwiseConv2D's API: output shapes (strides, 'same', dilation), Keras
// weight names and shapes, parameter counts, option errors, and the
// default initializer's range (tfjs-layers' fans for a [kh, kw, in, M]
// kernel: fanIn = kh*kw*in, fanOut = kh*kw*M).
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, DepthwiseConv2D, init, Sequential, ShapeError } from "simdcnn";

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("DepthwiseConv2D", () => {
  it.each([
    [{ kernelSize: 3 }, [9, 7, 4], [7, 5, 4]],
    [{ kernelSize: 3, padding: "same" as const, depthMultiplier: 2 }, [9, 7, 4], [9, 7, 8]],
    [{ kernelSize: 3, strides: 2, padding: "same" as const }, [9, 7, 4], [5, 4, 4]],
    [{ kernelSize: [3, 1] as [number, number], strides: [2, 1] as [number, number] }, [9, 7, 3], [4, 7, 3]],
    [{ kernelSize: 3, dilationRate: 2 }, [9, 7, 4], [5, 3, 4]],
    [{ kernelSize: 3, dilationRate: 2, padding: "same" as const }, [9, 7, 4], [9, 7, 4]],
  ])("%o on %o gives %o", (config, inputShape, out) => {
    const model = new Sequential([new DepthwiseConv2D(config)], { inputShape });
    expect(model.outputs[0]!.shape).toEqual(out);
    model.dispose();
  });

  it("has Keras' weights: depthwise_kernel [kh, kw, in, M], bias [in * M]", () => {
    const layer = new DepthwiseConv2D({ kernelSize: [3, 5], depthMultiplier: 2 });
    const model = new Sequential([layer], { inputShape: [8, 8, 3] });
    expect(layer.weights().map((w) => [w.name, w.shape])).toEqual([["depthwise_kernel", [3, 5, 3, 2]], ["bias", [6]]]);
    expect(model.countParams()).toBe(3 * 5 * 3 * 2 + 6);
    model.dispose();
  });

  it("draws glorotUniform within sqrt(6 / (kh*kw*in + kh*kw*M)), filling most of that range", () => {
    const layer = new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, seed: 5 });
    const model = new Sequential([layer], { inputShape: [6, 6, 16] });
    const limit = Math.sqrt(6 / (9 * 16 + 9 * 2));
    const w = layer.getWeights()[0]!;
    const max = Math.max(...w.map(Math.abs));
    expect(max).toBeLessThanOrEqual(limit);
    expect(max).toBeGreaterThan(0.95 * limit);
    model.dispose();
  });

  it("rejects bad options and kernels larger than the input", () => {
    expect(() => new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 0 })).toThrow(ConfigError);
    expect(() => new DepthwiseConv2D({ kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/cannot both exceed 1/);
    expect(() => new DepthwiseConv2D({ kernelSize: 3, dilation_rate: 2 } as never)).toThrow(/did you mean 'dilationRate'/);
    expect(() => new Sequential([new DepthwiseConv2D({ kernelSize: 3, dilationRate: 3 })], { inputShape: [6, 6, 2] }))
      .toThrow(ShapeError);
  });
});
