// Own file: the relaxed-SIMD flag must not have been set in this process.
import { describe, expect, it } from "vitest";
import { BackendError, init } from "simdcnn";

const nodeMajor = Number(process.versions.node.split(".")[0]);

describe("asking for a variant the runtime cannot run", () => {
  // Node 22+ validates relaxed SIMD by default; Node 20 needs the V8 flag.
  // Each runtime gets its own expectation, so neither run skips a check.
  it(`relaxed-simd without the flag on Node ${nodeMajor}`, async () => {
    if (nodeMajor >= 22) {
      const caps = await init({ backend: "relaxed-simd" });
      expect(caps.backend).toBe("relaxed-simd");
      return;
    }
    const attempt = init({ backend: "relaxed-simd" });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(init({ backend: "relaxed-simd" })).rejects.toThrow(/nodeRelaxedSimdFlag: true/);
    await expect(init({ backend: "relaxed-simd" })).rejects.toThrow(/init\(\{ backend: "simd" \}\) would work/);
  });

  it("nodeRelaxedSimdFlag is an explicit opt-in that makes it work", async () => {
    const caps = await init({ backend: "relaxed-simd", nodeRelaxedSimdFlag: true });
    expect(caps.backend).toBe("relaxed-simd");
    expect(caps.relaxedSimd).toBe(true);
  });
});
