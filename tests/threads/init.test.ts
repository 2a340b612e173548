// init({ threads }): what capabilities() reports, which counts are
// accepted, and the fall-backs to one thread, each with its reason.
import { afterEach, describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { capabilities, ConfigError, Dense, init, Sequential } from "simdcnn";

afterEach(() => {
  delete process.env.SIMDCNN_TEST_WORKER_FAIL;
});

describe("init({ threads })", () => {
  it("2 threads: the threaded build, 2 threads, and why", async () => {
    const caps = await init({ backend: "simd", threads: 2 });
    expect(caps).toEqual(capabilities());
    expect(caps).toMatchObject({ backend: "simd", threads: 2, binary: "simd-threads" });
    expect(caps.reason).toMatch(/runs on 2 threads/);
  });

  it("the default stays one thread on the single-threaded binary", async () => {
    const caps = await init({ backend: "simd" });
    expect(caps).toMatchObject({ threads: 1, binary: "simd" });
  });

  it('"auto" takes the cores this process may use, at most 8', async () => {
    const caps = await init({ backend: "simd", threads: "auto" });
    expect(caps.threads).toBe(Math.min(8, availableParallelism()));
  });

  it("rejects a count that is not a whole number >= 1", async () => {
    for (const threads of [0, -1, 1.5, Number.NaN, "2", 65]) {
      await expect(init({ threads: threads as number })).rejects.toThrow(ConfigError);
    }
    await expect(init({ threads: 0 })).rejects.toThrow(/threads must be 1 to 64 or "auto", got 0/);
  });

  it("the JS and scalar backends run on one thread and say why", async () => {
    expect(await init({ backend: "js", threads: 2 })).toMatchObject({ threads: 1, binary: null,
      reason: expect.stringMatching(/one thread, not 2: the plain-JS backend has no threads/) });
    expect(await init({ backend: "scalar", threads: 2 })).toMatchObject({ threads: 1, binary: "scalar",
      reason: expect.stringMatching(/no threaded scalar build/) });
  });

  it("a worker that fails to start: one thread, the single-threaded binary, and the worker's error as the reason", async () => {
    process.env.SIMDCNN_TEST_WORKER_FAIL = "1";
    const caps = await init({ backend: "simd", threads: 3 });
    expect(caps).toMatchObject({ backend: "simd", threads: 1, binary: "simd" });
    expect(caps.reason).toMatch(/one thread, not 3: a worker thread failed to start: .*SIMDCNN_TEST_WORKER_FAIL/);
    // ...and it computes.
    const model = new Sequential([new Dense({ units: 3 })], { inputShape: [2], seed: 1 });
    expect(model.predict([1, 2]).toArray().length).toBe(3);
  });

  it("the last model's dispose stops the workers; the next model starts them again", async () => {
    await init({ backend: "simd", threads: 2 });
    const a = new Sequential([new Dense({ units: 3 })], { inputShape: [2], seed: 1 });
    a.dispose();
    expect(capabilities()).toMatchObject({ threads: 1, reason: expect.stringMatching(/stopped when the last model was disposed/) });
    const b = new Sequential([new Dense({ units: 3 })], { inputShape: [2], seed: 1 });
    await expect.poll(() => capabilities().threads).toBe(2);
    b.dispose();
  });
});
