// Conv2DTranspose folds at inference like the other convolutions
// (src/graph/rewrite.ts, src/layers/fold.ts): a BatchNormalization after it
// scales its kernel's filters axis (axis 2 of [kh, kw, filters, in]) and its
// bias, and a following activation moves into its bias pass, so
// transpose + BN + ReLU runs as the transposed conv alone. Checked taken (the
// BN and ReLU layers never run in predict), close to the unrewritten graph
// that featureMaps runs (exact when only an activation moved), refolded after
// setWeights on either side, and never in training, on every backend, over
// strides 1 to 3, both paddings, odd sizes, outputPadding, batch 3.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BatchNormalization, Conv2DTranspose, init, input, Model, ReLU, SGD, type Layer, type SymbolicTensor,
} from "simdcnn";
import { BACKENDS, uniform } from "../parity/harness.js";
import { TRANSPOSE_FOLD_REL } from "./tolerances.js";

interface Case {
  shape: [number, number, number];
  kernelSize: number;
  strides: number;
  padding: "same" | "valid";
  useBias: boolean;
  outputPadding?: [number, number];
}

const CASES: Case[] = [
  { shape: [5, 7, 3], kernelSize: 3, strides: 1, padding: "same", useBias: false },
  { shape: [5, 7, 3], kernelSize: 3, strides: 2, padding: "same", useBias: true },
  { shape: [3, 5, 5], kernelSize: 2, strides: 2, padding: "valid", useBias: false },
  { shape: [4, 3, 6], kernelSize: 4, strides: 3, padding: "same", useBias: true, outputPadding: [2, 1] },
  { shape: [3, 3, 9], kernelSize: 1, strides: 3, padding: "valid", useBias: true },        // rows no tap reaches
  { shape: [5, 4, 3], kernelSize: 5, strides: 2, padding: "valid", useBias: false, outputPadding: [1, 0] },
  { shape: [1, 1, 17], kernelSize: 3, strides: 1, padding: "valid", useBias: true },
];

const label = (c: Case): string => `${c.shape.join("x")} k${c.kernelSize} s${c.strides} ${c.padding}` +
  `${c.useBias ? "" : " no bias"}${c.outputPadding ? ` outputPadding ${c.outputPadding.join("x")}` : ""}`;

const FILTERS = 5;
const BATCH = 3;

/** input -> transpose -> BN -> ReLU -> transpose -> BN (a BN with no activation after it). */
function model({ shape, ...options }: Case, tail?: (t: SymbolicTensor) => SymbolicTensor): Model {
  const inp = input({ shape });
  let x = new Conv2DTranspose({ filters: FILTERS, ...options, name: "up" }).apply(inp);
  x = new ReLU().apply(new BatchNormalization({ name: "bn" }).apply(x));
  x = new Conv2DTranspose({ filters: 3, kernelSize: 2, padding: "same", name: "up2" }).apply(x);
  x = new BatchNormalization({ epsilon: 0.01, name: "bn2" }).apply(x);
  return new Model({ inputs: inp, outputs: tail ? tail(x) : x });
}

/** Seeded weights for every layer; BatchNorm's (gamma, beta, mean, variance) away from 1, 0, 0, 1. */
function seed(m: Model, s: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const bn = layer instanceof BatchNormalization;
    layer.setWeights(ws.map((w, i) => uniform(w.length, s + 17 * i, 0.5).map((v) => (bn && (i === 0 || i === 3) ? 1.2 + v : v))));
    s += 101;
  }
}

function lastMap(m: Model, x: Float32Array): Float32Array {
  const maps = m.featureMaps(x);
  return maps[maps.length - 1]!.data;
}

/** Max |predict - the unrewritten graph| over the largest |value|, and predict's output. */
function foldError(m: Model, x: Float32Array): { error: number; y: Float32Array } {
  const y = m.predict(x).toArray();
  const want = lastMap(m, x);
  expect(y.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  return { error: Math.max(...want.map((v, i) => Math.abs(v - y[i]!))) / scale, y };
}

const layer = (m: Model, name: string): Layer => m.getLayer(name);

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(BACKENDS)("Conv2DTranspose + BatchNorm + ReLU folded on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(CASES.map((c) => [label(c), c] as const))("%s: taken, close to the unfolded graph, refolded after setWeights", (_, c) => {
    const m = model(c);
    seed(m, 3);
    const x = uniform(BATCH * c.shape[0] * c.shape[1] * c.shape[2], 7, 2);
    const bn = vi.spyOn(BatchNormalization.prototype, "forward");
    const relu = vi.spyOn(ReLU.prototype, "forward");
    const first = foldError(m, x);
    // featureMaps ran each layer once; predict ran neither.
    expect(bn).toHaveBeenCalledTimes(2);
    expect(relu).toHaveBeenCalledTimes(1);
    expect(first.error).toBeLessThanOrEqual(TRANSPOSE_FOLD_REL);

    // Each side's weights moved: the next predict refolds.
    const bnLayer = layer(m, "bn");
    bnLayer.setWeights(bnLayer.getWeights().map((w) => w.map((v) => v * 0.5 + 0.7)));
    const second = foldError(m, x);
    expect(second.error).toBeLessThanOrEqual(TRANSPOSE_FOLD_REL);
    expect(second.y).not.toEqual(first.y);
    const up = layer(m, "up");
    up.setWeights(up.getWeights().map((w) => w.map((v) => -v)));
    const third = foldError(m, x);
    expect(third.error).toBeLessThanOrEqual(TRANSPOSE_FOLD_REL);
    expect(third.y).not.toEqual(second.y);
    m.dispose();
  });

  it("moves a ReLU alone into the bias pass bit for bit, with and without a bias", () => {
    for (const useBias of [true, false]) {
      const inp = input({ shape: [5, 3, 4] });
      const up = new Conv2DTranspose({ filters: 6, kernelSize: 3, strides: 2, useBias }).apply(inp);
      const m = new Model({ inputs: inp, outputs: new ReLU().apply(up) });
      seed(m, 5);
      const x = uniform(BATCH * 60, 9);
      const relu = vi.spyOn(ReLU.prototype, "forward");
      const y = m.predict(x).toArray();
      expect(relu).not.toHaveBeenCalled();
      expect(y).toEqual(lastMap(m, x));
      expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true); // the ReLU did clip
      relu.mockRestore();
      m.dispose();
    }
  });

  it("does not fold into a transposed conv with an activation of its own", () => {
    const inp = input({ shape: [4, 4, 3] });
    const up = new Conv2DTranspose({ filters: 4, kernelSize: 3, strides: 2, activation: "tanh" }).apply(inp);
    const m = new Model({ inputs: inp, outputs: new BatchNormalization().apply(up) });
    seed(m, 13);
    const x = uniform(2 * 48, 15);
    const bn = vi.spyOn(BatchNormalization.prototype, "forward");
    const y = m.predict(x).toArray();
    expect(bn).toHaveBeenCalledTimes(1);
    expect(y).toEqual(lastMap(m, x));
    m.dispose();
  });

  it("trains unfolded (BatchNorm runs as a layer, on batch statistics), then folds what training left", async () => {
    const c = CASES[3]!;
    const m = model(c);
    seed(m, 17);
    const x = uniform(BATCH * c.shape[0] * c.shape[1] * c.shape[2], 19);
    const shape = m.outputShape;
    const labels = uniform(BATCH * shape[0]! * shape[1]! * shape[2]!, 23);
    m.compile({ optimizer: new SGD({ learningRate: 0.02 }), loss: "meanSquaredError", metrics: [] });
    const bn = vi.spyOn(BatchNormalization.prototype, "forward");
    const loss = m.trainOnBatch(x, labels).loss;
    expect(bn).toHaveBeenCalledTimes(2);
    expect(bn.mock.calls.every(([args]) => args.training)).toBe(true);
    await m.fit(x, labels, { epochs: 4, batchSize: BATCH });
    expect(m.trainOnBatch(x, labels).loss).toBeLessThan(loss);
    expect(foldError(m, x).error).toBeLessThanOrEqual(TRANSPOSE_FOLD_REL);
    m.dispose();
  });
});
