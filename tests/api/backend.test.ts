import { describe, expect, it } from "vitest";
import { BackendError, capabilities, ConfigError, init, tensor } from "simdcnn";
import { tinyDense } from "./models.js";

describe("init and capabilities", () => {
  it("reports the chosen backend and why", async () => {
    const caps = await init({ backend: "js" });
    expect(caps).toEqual(capabilities());
    expect(caps.backend).toBe("js");
    expect(caps.threads).toBe(1);
    expect(caps.binary).toBeNull();
    expect(typeof caps.simd).toBe("boolean");
    expect(caps.reason).toMatch(/plain-JS backend was requested/);
  });

  it("auto picks the best wasm build this runtime validates", async () => {
    const caps = await init();
    const expected = caps.relaxedSimd ? "relaxed-simd" : caps.simd ? "simd" : "scalar";
    expect(caps.backend).toBe(expected);
    expect(caps.reason.length).toBeGreaterThan(10);
  });

  it("rejects an unknown option instead of ignoring it, and keeps the backend it had", async () => {
    await init({ backend: "js" });
    await expect(init({ backnd: "js" } as never)).rejects.toThrow(ConfigError);
    await expect(init({ backnd: "js" } as never)).rejects.toThrow(/unknown option 'backnd'; accepted: backend, wasm, nodeRelaxedSimdFlag, threads/);
    await expect(init({ backend: "js", wasm: undefined })).resolves.toBeDefined();
    expect(capabilities().backend).toBe("js");
  });

  it("rejects an unknown backend name", async () => {
    await expect(init({ backend: "gpu" as "js" })).rejects.toThrow(BackendError);
  });

  it("a model built before init() switched backend throws BackendError; getWeights still works", async () => {
    await init({ backend: "js" });
    const model = tinyDense();
    const x = tensor([1, 2, 3], [1, 3]);
    await init({ backend: "scalar" });
    expect(() => model.predict([1, 2, 3])).toThrow(BackendError);
    expect(() => model.predict([1, 2, 3])).toThrow(/built on the 'js' backend, but init\(\) has since switched to 'scalar'/);
    expect(model.getWeights().length).toBe(2);
    // A tensor from the old backend is refused by a model on the new one.
    const fresh = tinyDense();
    fresh.setWeights(model.getWeights());
    expect(() => fresh.predict(x)).toThrow(/another backend's memory/);
  });
});
