// Conv2DTranspose's outputPadding (Keras' output_padding) and dilationRate:
// output sizes by Keras' deconv_output_length, worked out by hand below for
// both paddings, odd and even kernels, strides 1 to 3; the summary row and
// getConfig; the options' errors.
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, Conv2DTranspose, init, Sequential, ShapeError } from "simdcnn";

beforeAll(async () => {
  await init({ backend: "js" });
});

const untyped = (c: object): never => c as never;

describe("Conv2DTranspose outputPadding", () => {
  // (in - 1) * stride + kernel - 2 * pad + outputPadding, pad = kernel // 2 for 'same', 0 for 'valid'.
  it.each([
    [{ kernelSize: 3, strides: 2, padding: "same", outputPadding: 1 }, [5, 7], [10, 14]],        // 8 + 3 - 2 + 1
    [{ kernelSize: 3, strides: 2, padding: "same", outputPadding: 0 }, [5, 7], [9, 13]],         // 8 + 3 - 2
    [{ kernelSize: 3, strides: 2, padding: "valid", outputPadding: 1 }, [5, 7], [12, 16]],       // 8 + 3 + 1
    [{ kernelSize: 4, strides: 3, padding: "same", outputPadding: [2, 1] }, [4, 3], [11, 7]],    // 9 + 4 - 4 + 2; 6 + 4 - 4 + 1
    [{ kernelSize: 1, strides: 3, padding: "valid", outputPadding: [0, 2] }, [4, 2], [10, 6]],   // kernel below the stride
    [{ kernelSize: [5, 2], strides: [1, 2], padding: "valid", outputPadding: [0, 1] }, [3, 3], [7, 7]],
    [{ kernelSize: 2, strides: 2, padding: "same", outputPadding: [1, 0] }, [3, 3], [5, 4]],     // even kernel, outputPadding 0
  ] as const)("%o on %o gives %o", (config, [h, w], [outH, outW]) => {
    const model = new Sequential([new Conv2DTranspose(untyped({ filters: 2, ...config }))], { inputShape: [h, w, 3] });
    expect(model.outputShape).toEqual([outH, outW, 2]);
    model.dispose();
  });

  it("null and undefined keep Keras' default sizes; shows in summary() and getConfig()", () => {
    for (const outputPadding of [null, undefined]) {
      const layer = new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same", outputPadding });
      const model = new Sequential([layer], { inputShape: [5, 7, 1] });
      expect(model.outputShape).toEqual([10, 14, 2]);
      expect(layer.outputPadding).toBeNull();
      expect(layer.getConfig().outputPadding).toBeUndefined();
      model.dispose();
    }
    const layer = new Conv2DTranspose({ filters: 4, kernelSize: 3, strides: [3, 2], outputPadding: [2, 0], name: "up" });
    const model = new Sequential([layer], { inputShape: [5, 6, 3] });
    expect(model.summaryRows().find((r) => r.name === "up")).toMatchObject({ outputShape: [null, 17, 13, 4] });
    expect(model.summary()).toMatch(/up \(Conv2DTranspose\)\s+\[null,17,13,4\]\s+112/);
    expect(layer.getConfig()).toMatchObject({ outputPadding: [2, 0], strides: [3, 2] });
    const copy = new Conv2DTranspose({ ...layer.getConfig(), name: "copy" });
    expect(copy.outputPadding).toEqual([2, 0]);
    model.dispose();
  });

  it("refuses values that are not integers from 0 to below the stride, and an empty output", () => {
    const bad = [2, -1, 0.5, [0, 2], [1], [1, 1, 1], "1", true];
    for (const outputPadding of bad) {
      expect(() => new Conv2DTranspose(untyped({ filters: 2, strides: [2, 2], outputPadding })))
        .toThrow(/^Conv2DTranspose: outputPadding must be integers from 0 to below strides \[2,2\], got /);
    }
    expect(() => new Conv2DTranspose(untyped({ filters: 2, strides: [2, 2], outputPadding: 1 }))).not.toThrow();
    expect(() => new Conv2DTranspose(untyped({ filters: 2, outputPadding: 1 }))).toThrow(ConfigError); // stride 1: only 0
    // 'same' with an even kernel and outputPadding 0: (1 - 1) * 2 + 0 rows.
    const layer = new Conv2DTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: "same", outputPadding: 0 });
    expect(() => new Sequential([layer], { inputShape: [1, 3, 1] })).toThrow(ShapeError);
  });
});

describe("Conv2DTranspose dilationRate", () => {
  it("takes 1 (as a number or a pair) and refuses anything above as unsupported", () => {
    for (const dilationRate of [1, [1, 1]] as const) {
      const model = new Sequential([new Conv2DTranspose(untyped({ filters: 2, strides: 2, dilationRate }))],
        { inputShape: [3, 3, 1] });
      expect(model.outputShape).toEqual([7, 7, 2]);
      model.dispose();
    }
    for (const dilationRate of [2, [1, 2], [3, 1]]) {
      expect(() => new Conv2DTranspose(untyped({ filters: 2, dilationRate }))).toThrow(ConfigError);
      expect(() => new Conv2DTranspose(untyped({ filters: 2, strides: 2, dilationRate })))
        .toThrow("Conv2DTranspose: dilationRate above 1 is not supported");
    }
    expect(() => new Conv2DTranspose(untyped({ filters: 2, dilationRate: 0 }))).toThrow(/dilationRate must be a positive integer/);
  });
});
