// Thread-count invariance: every case's predictions are bit-identical on
// 1 (the single-threaded binary), 2, 3 and 4 threads, for the SIMD and
// relaxed-SIMD builds.
import { describe, expect, it } from "vitest";
import { capabilities, init } from "simdcnn";
import { BATCHES, CASES, ramp } from "./models.js";

type Variant = "simd" | "relaxed-simd";

/** Every case's output at every batch size, copied out. */
function predictAll(): Float32Array[] {
  const out: Float32Array[] = [];
  // All alive at once: the pool stops with the last model (and restarts only asynchronously).
  const models = CASES.map((c) => c.build());
  CASES.forEach((c, i) => {
    for (const batch of BATCHES) out.push(models[i]!.predict(ramp(batch * c.sample, batch)).toArray().slice());
  });
  for (const model of models) model.dispose();
  return out;
}

/** Index of the first element whose bits differ (NaN and -0 included), or -1. toEqual on a million elements is too slow. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

async function run(backend: Variant, threads: number): Promise<Float32Array[]> {
  await init({ backend, threads, nodeRelaxedSimdFlag: true });
  expect(capabilities().threads).toBe(threads);
  return predictAll();
}

describe.each(["simd", "relaxed-simd"] as const)("%s: predict is bit-identical for 1..4 threads", (backend) => {
  it("every case and batch size", async () => {
    const one = await run(backend, 1);
    expect(capabilities().binary).toBe(backend);
    for (const threads of [2, 3, 4]) {
      const many = await run(backend, threads);
      expect(capabilities().binary).toBe(`${backend}-threads`);
      many.forEach((y, i) => {
        const what = `${CASES[Math.floor(i / BATCHES.length)]!.name}, batch ${BATCHES[i % BATCHES.length]}, ${threads} threads`;
        expect(y.length, what).toBe(one[i]!.length);
        expect(firstBitDifference(y, one[i]!), what).toBe(-1);
      });
    }
  });
});
