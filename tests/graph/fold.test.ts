// BatchNormalization folded into the conv (Conv2D, DepthwiseConv2D) or dense before it (and a ReLU
// into its epilogue) at inference: the folded predict must equal the
// unfolded graph (featureMaps runs the graph without rewrites) before and
// after setWeights, after training moved both sides, and never leak into
// training (which must see the unfolded layers).
import { beforeAll, describe, expect, it } from "vitest";
import {
  BatchNormalization, Conv2D, Dense, DepthwiseConv2D, Flatten, init, input, Model, ReLU, SGD, type InitOptions,
  type Layer,
} from "simdcnn";
import { uniform } from "../parity/harness.js";
import { FOLD_ABS } from "./tolerances.js";

const BACKENDS: InitOptions[] = [{ backend: "js" }, { backend: "scalar" }, { backend: "simd" }];

/** The layer BatchNorm folds into first, and its output channels. */
const FIRST: { name: string; make: () => Layer; channels: number }[] = [
  { name: "Conv2D", make: () => new Conv2D({ filters: 5, padding: "same", useBias: false }), channels: 5 },
  { name: "DepthwiseConv2D", channels: 6,
    make: () => new DepthwiseConv2D({ kernelSize: 3, padding: "same", depthMultiplier: 2, useBias: false }) },
];

function model(first: Layer): Model {
  const inp = input({ shape: [6, 6, 3] });
  let x = first.apply(inp);
  x = new ReLU().apply(new BatchNormalization().apply(x));
  x = new Dense({ units: 4 }).apply(new Flatten().apply(x));
  x = new BatchNormalization({ epsilon: 0.01 }).apply(x);
  return new Model({ inputs: inp, outputs: new Dense({ units: 3, activation: "softmax" }).apply(x) });
}

/** Max |folded predict - the unrewritten graph's output|. */
function foldError(m: Model, x: Float32Array): number {
  const folded = m.predict(x).toArray();
  const maps = m.featureMaps(x);
  const plain = maps[maps.length - 1]!.data;
  return Math.max(...folded.map((v, i) => Math.abs(v - plain[i]!)));
}

describe.each(BACKENDS)("BatchNorm folding on %o", (options) => {
  beforeAll(async () => {
    await init(options);
  });

  it.each(FIRST)("$name: folds, refolds after setWeights and after training, and trains unfolded", async (layer) => {
    const m = model(layer.make());
    const ch = layer.channels;
    const x = uniform(3 * 6 * 6 * 3, 11);
    // Non-trivial statistics, so a missing or stale fold shows.
    const bn = m.layers.find((l) => l.className === "BatchNormalization")!;
    bn.setWeights([uniform(ch, 1, 0.5).map((v) => 1 + v), uniform(ch, 2, 0.3), uniform(ch, 3, 0.4),
      uniform(ch, 4, 0.5).map((v) => 1 + v)]);
    expect(foldError(m, x)).toBeLessThanOrEqual(FOLD_ABS);
    const before = m.predict(x).toArray();

    bn.setWeights(bn.getWeights().map((w) => w.map((v) => v * 0.5 + 0.7)));
    expect(foldError(m, x)).toBeLessThanOrEqual(FOLD_ABS);
    expect(m.predict(x).toArray()).not.toEqual(before);

    m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: "sparseCategoricalCrossentropy" });
    const labels = Float32Array.of(0, 2, 1);
    const first = m.trainOnBatch(x, labels).loss;
    await m.fit(x, labels, { epochs: 3, batchSize: 3 });
    expect(m.trainOnBatch(x, labels).loss).toBeLessThan(first);
    expect(foldError(m, x)).toBeLessThanOrEqual(FOLD_ABS);
    m.dispose();
  });
});
