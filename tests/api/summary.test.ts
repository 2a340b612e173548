import { beforeAll, describe, expect, it } from "vitest";
import { init } from "simdcnn";
import { lenet5 } from "./models.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

describe("summary and countParams (LeNet-5)", () => {
  it("counts the parameters of each layer as Keras does", () => {
    const model = lenet5();
    const rows = model.summaryRows();
    expect(rows.map((r) => r.params)).toEqual([
      5 * 5 * 1 * 6 + 6,     // conv 5x5x1x6 = 156
      0,
      5 * 5 * 6 * 16 + 16,   // 2416
      0,
      0,
      400 * 120 + 120,       // dense 400x120 = 48120
      120 * 84 + 84,         // 10164
      84 * 10 + 10,          // 850
    ]);
    expect(model.countParams()).toBe(61706);
  });

  it("names layers like Keras and reports output shapes with a null batch dim", () => {
    const rows = lenet5().summaryRows();
    expect(rows.map((r) => r.name)).toEqual([
      "conv2d_1", "max_pooling2d_1", "conv2d_2", "average_pooling2d_1", "flatten_1", "dense_1", "dense_2", "dense_3",
    ]);
    expect(rows[0]!.outputShape).toEqual([null, 28, 28, 6]);
    expect(rows[1]!.outputShape).toEqual([null, 14, 14, 6]);
    expect(rows[3]!.outputShape).toEqual([null, 5, 5, 16]);
    expect(rows[4]!.outputShape).toEqual([null, 400]);
    expect(rows[7]!.outputShape).toEqual([null, 10]);
  });

  it("prints a Keras-like table", () => {
    const model = lenet5();
    const text = model.summary();
    expect(text).toContain("Layer (type)");
    expect(text).toContain("Output Shape");
    expect(text).toContain("Param #");
    expect(text).toMatch(/conv2d_1 \(Conv2D\)\s+\[null,28,28,6\]\s+156/);
    expect(text).toMatch(/dense_1 \(Dense\)\s+\[null,120\]\s+48120/);
    expect(text).toContain("Total params: 61706");
    expect(text).toContain("Trainable params: 61706");
    expect(text).toContain("Non-trainable params: 0");
  });

  it("exposes input and output shapes", () => {
    const model = lenet5();
    expect(model.inputShape).toEqual([28, 28, 1]);
    expect(model.outputShape).toEqual([10]);
    expect(model.layers.length).toBe(8);
  });
});
