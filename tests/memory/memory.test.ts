// The arena under use: nothing grows across many predictions, copies and
// tensors survive memory.grow, a larger batch re-plans, dispose frees.
import { beforeAll, describe, expect, it } from "vitest";
import {
  Add, BatchNormalization, Conv2D, Dense, DisposedError, Flatten, GlobalAvgPool2D, init, input, MaxPool2D, memory,
  Model, ReLU, Sequential, tensor,
} from "simdcnn";
import type { InitOptions } from "simdcnn";
import { BATCH_CONSISTENCY_ABS } from "../parity/tolerances.js";

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThanOrEqual(BATCH_CONSISTENCY_ABS));
}

function small(): Sequential {
  return new Sequential([
    new Conv2D({ filters: 4, kernelSize: 3, activation: "relu" }),
    new MaxPool2D(),
    new Flatten(),
    new Dense({ units: 3, activation: "softmax" }),
  ], { inputShape: [8, 8, 1] });
}

function ramp(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
}

const BACKENDS: { name: string; options: InitOptions }[] = [
  { name: "js", options: { backend: "js" } },
  { name: "simd", options: { backend: "simd" } },
];

describe.each(BACKENDS)("memory on $name", ({ options }) => {
  beforeAll(async () => {
    await init(options);
  });

  it("10,000 predictions grow nothing", () => {
    const model = small();
    const x = ramp(64, 1);
    const xt = tensor(x, [1, 8, 8, 1]);
    model.predict(x); // warm
    const before = memory();
    for (let i = 0; i < 5000; i++) {
      model.predict(x);
      model.predict(xt);
    }
    expect(memory()).toEqual(before);
    xt.dispose();
    model.dispose();
  });

  it("10,000 predictions of a residual graph with a folded BatchNorm grow nothing", () => {
    const inp = input({ shape: [8, 8, 2] });
    const a = new ReLU().apply(new BatchNormalization().apply(new Conv2D({ filters: 4, padding: "same" }).apply(inp)));
    const b = new Conv2D({ filters: 4, padding: "same" }).apply(a);
    const out = new Dense({ units: 3, activation: "softmax" }).apply(new GlobalAvgPool2D().apply(new Add().apply([a, b])));
    const model = new Model({ inputs: inp, outputs: out });
    const x = ramp(128, 2);
    model.predict(x); // warm: plans, folds
    const before = memory();
    for (let i = 0; i < 10_000; i++) model.predict(x);
    expect(memory()).toEqual(before);
    model.dispose();
  });

  it("the small VGG at batch 64 plans its activations in at most 60% of a block per layer", () => {
    // The bench's small VGG. One block per layer output (the planner before liveness) was 29.2 MB.
    const model = new Sequential([
      new Conv2D({ filters: 32, padding: "same", activation: "relu" }),
      new Conv2D({ filters: 32, padding: "same", activation: "relu" }),
      new MaxPool2D(),
      new Conv2D({ filters: 64, padding: "same", activation: "relu" }),
      new Conv2D({ filters: 64, padding: "same", activation: "relu" }),
      new MaxPool2D(),
      new Flatten(),
      new Dense({ units: 512, activation: "relu" }),
      new Dense({ units: 10, activation: "softmax" }),
    ], { inputShape: [32, 32, 3], batchSize: 64 });
    const perLayer = 64 * 4 * (32 * 32 * 3 + 2 * 32 * 32 * 32 + 16 * 16 * 32 + 2 * 16 * 16 * 64 + 8 * 8 * 64 + 512 + 10);
    expect(perLayer).toBe(29_231_616);
    expect(model.memory().activations).toBeLessThanOrEqual(0.6 * perLayer);
    model.dispose();
  });

  it("a toArray() copy and a live tensor stay valid after memory grows", () => {
    const model = small();
    const y = model.predict(ramp(64, 2));
    const copy = y.toArray();
    const kept = copy.slice();
    const t = tensor(ramp(1000, 3), [1000]);
    const capacity = memory().capacityBytes;
    // Larger than anything allocated so far: forces memory.grow.
    const big = tensor(new Float32Array(capacity / 4 + 1_000_000), [capacity / 4 + 1_000_000]);
    expect(memory().capacityBytes).toBeGreaterThan(capacity);
    expect(copy).toEqual(kept);
    expect(y.toArray()).toEqual(kept);         // a view reads through the new buffer
    expect(t.toArray()).toEqual(ramp(1000, 3));
    expect(model.predict(ramp(64, 2)).toArray()).toEqual(kept);
    big.dispose();
    t.dispose();
    model.dispose();
  });

  it("a larger batch re-plans once and still gives the right answers", () => {
    const model = small();
    const samples = [ramp(64, 10), ramp(64, 11), ramp(64, 12), ramp(64, 13), ramp(64, 14)];
    const alone = samples.map((s) => model.predict(s).toArray());
    expect(model.batchCapacity).toBe(1);
    const batch = new Float32Array(5 * 64);
    samples.forEach((s, i) => batch.set(s, i * 64));
    const old = model.predict(samples[0]!);
    const y = model.predict(batch);
    expect(model.batchCapacity).toBe(5);
    expect(() => old.toArray()).toThrow(DisposedError);
    const values = y.toArray();
    alone.forEach((a, i) => expectClose(values.slice(i * 3, i * 3 + 3), a));
    // No further growth once planned for 5: smaller and equal batches reuse the plan.
    const planned = memory();
    model.predict(batch.subarray(0, 128));
    model.predict(batch);
    expect(memory()).toEqual(planned);
    expect(model.batchCapacity).toBe(5);
    model.dispose();
  });

  it("dispose frees every block and the model refuses use", () => {
    const before = memory();
    const model = small();
    model.predict(new Float32Array(3 * 64));
    expect(memory().bytesInUse).toBeGreaterThan(before.bytesInUse);
    model.dispose();
    expect(memory().bytesInUse).toBe(before.bytesInUse);
    expect(memory().blocks).toBe(before.blocks);
    expect(() => model.predict(new Float32Array(64))).toThrow(DisposedError);
    expect(() => model.featureMaps(new Float32Array(64))).toThrow(/disposed/);
  });
});
