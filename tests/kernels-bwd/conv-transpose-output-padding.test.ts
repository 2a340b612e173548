// Conv2DTranspose with outputPadding, backward: every element of its kernel
// and bias gradients, and the input gradient (as the 1x1 conv in front of it
// sees it), against central differences of the training loss on the
// plain-JS backend; then every wasm binary's forward and gradients against
// the JS backend's. The extra rows and columns are in no window: only the
// bias reaches them, and a dense head reads them, so a geometry that
// shifted or dropped them changes these gradients.
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2D, Conv2DTranspose, Dense, Flatten, init, Sequential, SGD } from "simdcnn";
import { BACKENDS, relativeError, uniform } from "../parity/harness.js";
import { GRAPH_PARITY_REL } from "../parity/tolerances.js";
import { expectCentralDifference } from "../graph/tolerances.js";

interface Case {
  name: string;
  shape: [number, number, number];
  up: { filters: number; kernelSize: number; strides: number; padding: "same" | "valid"; outputPadding: [number, number];
        activation?: "tanh" };
}

const CASES: Case[] = [
  { name: "k3 s2 'same', outputPadding [1, 0], tanh", shape: [3, 4, 2],
    up: { filters: 2, kernelSize: 3, strides: 2, padding: "same", outputPadding: [1, 0], activation: "tanh" } },
  { name: "k2 s3 'valid', outputPadding [2, 1]: rows and columns only the bias reaches", shape: [2, 3, 2],
    up: { filters: 3, kernelSize: 2, strides: 3, padding: "valid", outputPadding: [2, 1] } },
  { name: "k4 s2 'same', outputPadding [0, 1] (the size TensorFlow refuses)", shape: [3, 3, 3],
    up: { filters: 2, kernelSize: 4, strides: 2, padding: "same", outputPadding: [0, 1], activation: "tanh" } },
];

const BATCH = 2;

function build(c: Case): Sequential {
  return new Sequential([
    new Conv2D({ filters: 3, kernelSize: 1, activation: "tanh", name: "pre" }),
    new Conv2DTranspose({ ...c.up, name: "up" }),
    new Flatten(), new Dense({ units: 2, name: "head" }),
  ], { inputShape: c.shape, seed: 3 });
}

const inputOf = (c: Case): Float32Array => uniform(BATCH * c.shape[0] * c.shape[1] * c.shape[2], 11, 1.5);
const labelsOf = (): Float32Array => uniform(BATCH * 2, 13);

/** The forward output and one SGD step's gradients (lr 1: w_before - w_after), per weight array. */
function step(model: Sequential, c: Case): { output: Float32Array; gradients: Float32Array[] } {
  const x = inputOf(c);
  const output = model.predict(x).toArray();
  model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: "meanSquaredError", metrics: [] });
  const start = model.getWeights();
  model.trainOnBatch(x, labelsOf());
  const gradients = model.getWeights().map((w, i) => w.map((v, j) => start[i]![j]! - v));
  model.setWeights(start);
  return { output, gradients };
}

const reference = new Map<string, ReturnType<typeof step>>();

describe("Conv2DTranspose outputPadding gradients against central differences (js backend)", () => {
  beforeAll(async () => {
    await init({ backend: "js" });
  });

  it.each(CASES)("$name", (c) => {
    const model = build(c);
    const result = step(model, c);
    reference.set(c.name, result);
    const { gradients } = result;
    const start = model.getWeights();
    const [x, labels] = [inputOf(c), labelsOf()];
    const lossAt = (weights: Float32Array[]): number => {
      model.setWeights(weights);
      return model.trainOnBatch(x, labels).loss;
    };
    // pre/kernel, pre/bias (the input gradient's), up/kernel and up/bias in full, the head's ends.
    const names = ["pre/kernel", "pre/bias", "up/kernel", "up/bias", "head/kernel", "head/bias"];
    start.forEach((w, i) => {
      const all = names[i]!.startsWith("up/") || names[i]!.startsWith("pre/");
      for (const j of all ? w.keys() : [0, w.length - 1]) {
        expectCentralDifference(lossAt, start, i, j, gradients[i]![j]!, `${names[i]} [${j}]`);
      }
      expect(gradients[i]!.some((g) => g !== 0), `${names[i]} has a gradient`).toBe(true);
    });
    model.dispose();
  });
});

describe.each(BACKENDS.filter((b) => b.name !== "js"))("Conv2DTranspose outputPadding on $name.wasm vs the js backend", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES)("$name", (c) => {
    const want = reference.get(c.name)!;
    expect(want, "the js suite ran first").toBeDefined();
    const model = build(c);
    const got = step(model, c);
    expect(relativeError(got.output, want.output), "output").toBeLessThanOrEqual(GRAPH_PARITY_REL);
    got.gradients.forEach((g, i) => expect(relativeError(g, want.gradients[i]!), `weights ${i}`).toBeLessThanOrEqual(GRAPH_PARITY_REL));
    model.dispose();
  });
});
