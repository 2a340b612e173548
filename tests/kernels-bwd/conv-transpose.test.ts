// Conv2DTranspose on every wasm binary against the JS backend: the forward
// output and one SGD step's gradients (lr 1: the weights move by exactly
// -gradient) of its kernel and bias and, through a 1x1 conv in front of it,
// of its input, over geometries chosen like the conv backward tests: kernels
// below, at and above the stride, strides 1 to 3, both paddings, channel
// counts around the SIMD widths, batch 3. The kernels are the conv ones with
// roles swapped, so this checks that each is handed the right geometry.
import { beforeAll, describe, expect, it } from "vitest";
import { Conv2D, Conv2DTranspose, Dense, Flatten, init, Sequential, SGD } from "simdcnn";
import { BACKENDS, uniform } from "../parity/harness.js";
import { GRAPH_PARITY_REL } from "../parity/tolerances.js";

interface Case {
  shape: [number, number];
  cin: number;
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: "same" | "valid";
  useBias: boolean;
  activation: "linear" | "swish";
}

const c = (shape: [number, number], cin: number, filters: number, kernelSize: [number, number], strides: [number, number],
           padding: "same" | "valid", useBias = true, activation: "linear" | "swish" = "linear"): Case =>
  ({ shape, cin, filters, kernelSize, strides, padding, useBias, activation });

const CASES: Case[] = [
  c([5, 7], 1, 1, [3, 3], [1, 1], "same"),
  c([5, 7], 3, 4, [3, 3], [2, 2], "same", false),
  c([6, 4], 4, 7, [2, 2], [2, 2], "valid", true, "swish"),
  c([6, 4], 5, 16, [4, 4], [2, 2], "same"),
  c([5, 5], 8, 17, [5, 5], [1, 1], "valid", false),
  c([4, 6], 2, 3, [1, 1], [2, 2], "valid"),              // kernel below the stride: rows no tap reaches
  c([4, 6], 3, 5, [1, 1], [3, 3], "same", true, "swish"),
  c([5, 4], 6, 8, [3, 2], [3, 1], "same"),               // non-square kernel, unequal strides
  c([3, 3], 17, 2, [3, 3], [1, 1], "same", false),
  c([1, 1], 3, 4, [3, 3], [2, 2], "valid"),              // a single pixel
  c([7, 5], 4, 4, [1, 1], [1, 1], "valid"),              // 1x1 stride 1: the dense fast paths
  c([6, 6], 2, 9, [4, 3], [2, 3], "valid", true, "swish"),
];

const label = (k: Case): string => `${k.shape.join("x")}x${k.cin} -> ${k.filters} k${k.kernelSize.join("x")} ` +
  `s${k.strides.join("x")} ${k.padding}${k.useBias ? "" : " no bias"} ${k.activation}`;

interface Result {
  output: Float32Array;
  gradients: Float32Array[];
}

const BATCH = 3;

/** Forward output and one step's gradients of input -> 1x1 conv -> Conv2DTranspose -> dense on the current backend. */
function run(k: Case): Result {
  const model = new Sequential([
    new Conv2D({ filters: k.cin, kernelSize: 1, name: "pre" }),
    new Conv2DTranspose({ filters: k.filters, kernelSize: k.kernelSize, strides: k.strides, padding: k.padding,
      useBias: k.useBias, activation: k.activation, name: "up" }),
    new Flatten(), new Dense({ units: 2, name: "head" }),
  ], { inputShape: [...k.shape, k.cin], seed: 5 });
  const n = k.shape[0] * k.shape[1] * k.cin;
  const x = uniform(BATCH * n, 11, 2);
  const output = model.predict(x).toArray();
  const labels = uniform(BATCH * 2, 13);
  model.compile({ optimizer: new SGD({ learningRate: 1 }), loss: "meanSquaredError", metrics: [] });
  const start = model.getWeights();
  model.trainOnBatch(x, labels);
  const gradients = model.getWeights().map((w, i) => w.map((v, j) => start[i]![j]! - v));
  model.dispose();
  return { output, gradients };
}

/** Max |a - b| over the largest |b|, 0 for an all-zero b equal to a. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? worst : worst / scale;
}

const reference = new Map<string, Result>();

beforeAll(async () => {
  await init({ backend: "js" });
  for (const k of CASES) reference.set(label(k), run(k));
});

describe.each(BACKENDS.filter((b) => b.name !== "js"))("Conv2DTranspose on $name.wasm vs the js backend", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES.map((k) => [label(k), k] as const))("%s", (name, k) => {
    const want = reference.get(name)!;
    const got = run(k);
    expect(relativeError(got.output, want.output), "output").toBeLessThanOrEqual(GRAPH_PARITY_REL);
    const names = ["pre/kernel", "pre/bias", "up/kernel", ...(k.useBias ? ["up/bias"] : []), "head/kernel", "head/bias"];
    expect(got.gradients.length).toBe(names.length);
    got.gradients.forEach((g, i) => {
      expect(want.gradients[i]!.some((v) => v !== 0), `${names[i]} has a gradient`).toBe(true);
      expect(relativeError(g, want.gradients[i]!), names[i]).toBeLessThanOrEqual(GRAPH_PARITY_REL);
    });
  });
});
