// Thread-count invariance: every case's predictions are bit-identical on
// 1 (the single-threaded binary), 2, 3 and 4 threads, for the SIMD and
// relaxed-SIMD builds.
import { describe, expect, it } from "vitest";
import { capabilities, init } from "simdcnn";
import { BATCHES, CASES, firstBitDifference, ramp } from "./models.js";

type Variant = "simd" | "relaxed-simd";

/** Every case's output at each of its batch sizes, copied out, with what it is. */
function predictAll(): { what: string; y: Float32Array }[] {
  const out: { what: string; y: Float32Array }[] = [];
  // All alive at once: the pool stops with the last model (and restarts only asynchronously).
  const models = CASES.map((c) => c.build());
  CASES.forEach((c, i) => {
    for (const batch of c.batches ?? BATCHES) {
      out.push({ what: `${c.name}, batch ${batch}`, y: models[i]!.predict(ramp(batch * c.sample, batch)).toArray().slice() });
    }
  });
  for (const model of models) model.dispose();
  return out;
}

async function run(backend: Variant, threads: number): Promise<{ what: string; y: Float32Array }[]> {
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
      many.forEach(({ what, y }, i) => {
        expect(y.length, `${what}, ${threads} threads`).toBe(one[i]!.y.length);
        expect(firstBitDifference(y, one[i]!.y), `${what}, ${threads} threads`).toBe(-1);
      });
    }
  });
});
