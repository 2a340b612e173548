// Conv2DTranspose's outputPadding in model files: written as Keras'
// output_padding ([h, w], or null when unset, Keras' default), read back to
// the same model and predictions; read in Keras' forms (an int, a pair,
// null); values Keras would refuse are refused as ModelFormatErrors naming
// the key. dilation_rate 1 written and read.
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2DTranspose, init, loadModel, ModelFormatError, Sequential, type SavedModel, type Tensor } from "../../src/index.node.js";
import { uniform } from "../parity/harness.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

/** The saved Conv2DTranspose's Keras config. */
function upConfig(saved: SavedModel): Record<string, unknown> {
  const topology = saved.modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
  return topology.config.layers.find((l) => l.class_name === "Conv2DTranspose")!.config;
}

/** A saved one-layer model whose Keras config is edited by `edit` (stride 2). */
async function savedWith(edit: Record<string, unknown>): Promise<SavedModel> {
  const model = new Sequential([new Conv2DTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same", name: "up" })],
    { inputShape: [4, 5, 3] });
  const saved = await model.save();
  model.dispose();
  Object.assign(upConfig(saved), edit);
  return saved;
}

describe("Conv2DTranspose outputPadding in model files", () => {
  it("round-trips: output_padding [h, w], the output size and the predictions", async () => {
    const layer = new Conv2DTranspose({ filters: 3, kernelSize: 3, strides: [3, 2], padding: "same", outputPadding: [2, 0], name: "up" });
    const model = new Sequential([layer], { inputShape: [4, 5, 2], seed: 7 });
    expect(model.outputShape).toEqual([12, 9, 3]); // (4 - 1) * 3 + 1 + 2, (5 - 1) * 2 + 1 + 0
    const saved = await model.save();
    expect(upConfig(saved)).toMatchObject({ output_padding: [2, 0], strides: [3, 2], dilation_rate: [1, 1] });
    const copy = await loadModel(saved.modelJson, saved.weights);
    expect(copy.outputShape).toEqual([12, 9, 3]);
    expect((copy.getLayer("up") as Conv2DTranspose).outputPadding).toEqual([2, 0]);
    const x = uniform(2 * 40, 3);
    expect((copy.predict(x) as Tensor).toArray()).toEqual(model.predict(x).toArray());
    [model, copy].forEach((m) => m.dispose());
  });

  it("writes null when unset, and reads null, an int and a pair as Keras does", async () => {
    const unset = await savedWith({});
    expect(upConfig(unset).output_padding).toBeNull();
    const cases: [unknown, number[] | null, number[]][] = [
      [null, null, [8, 10, 2]], [1, [1, 1], [8, 10, 2]], [[0, 1], [0, 1], [7, 10, 2]], [0, [0, 0], [7, 9, 2]],
    ];
    for (const [value, outputPadding, shape] of cases) {
      const saved = await savedWith({ output_padding: value });
      const model = await loadModel(saved.modelJson, saved.weights);
      expect((model.getLayer("up") as Conv2DTranspose).outputPadding, JSON.stringify(value)).toEqual(outputPadding);
      expect(model.outputShape).toEqual(shape);
      model.dispose();
    }
  });

  it("refuses an output_padding that is not below the stride, negative or not integers", async () => {
    for (const value of [2, [1, 2], -1, [0.5, 0], "1", [1]]) {
      const saved = await savedWith({ output_padding: value });
      const load = loadModel(saved.modelJson, saved.weights);
      await expect(load, JSON.stringify(value)).rejects.toThrow(ModelFormatError);
      await expect(load, JSON.stringify(value)).rejects.toThrow(/output_padding|outputPadding/);
    }
  });
});
