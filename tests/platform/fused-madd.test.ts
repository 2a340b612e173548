// init() takes the relaxed build only where its multiply-add fuses: an
// unfused relaxed madd (JavaScriptCore: Bun) computes what the SIMD build
// does, slower. The probe itself runs here on V8; the unfused branch is
// driven by a stand-in probe, and by tests/runtimes/bun.test.ts for real.
// Own file: sets V8's relaxed-SIMD flag (Node 20).
import { readFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { afterAll, describe, expect, it } from "vitest";
import { relaxedMaddProbe } from "../../src/backend/features.js";
import { init, setFusedMaddProbe, setWasmLoader } from "../../src/backend/registry.js";

setFlagsFromString("--experimental-wasm-relaxed-simd"); // a no-op on Node 22+
// The built binaries (the source entry has no dist/wasm/ beside it).
setWasmLoader((variant) => readFile(new URL(`../../dist/wasm/${variant}.wasm`, import.meta.url)));

afterAll(() => setFusedMaddProbe(null));

describe("the fused multiply-add probe", () => {
  it("compiles and answers one of the two exact results (2^-24 fused, 0 unfused)", () => {
    expect([2 ** -24, 0]).toContain(relaxedMaddProbe());
  });

  it("with a fusing madd, init() picks relaxed SIMD", async () => {
    setFusedMaddProbe(() => true);
    const caps = await init();
    expect(caps).toMatchObject({ backend: "relaxed-simd", relaxedSimd: true });
  });

  it("where no probe is set (browser and edge entries), init() picks relaxed SIMD", async () => {
    setFusedMaddProbe(null);
    expect((await init()).backend).toBe("relaxed-simd");
  });

  it("with an unfused madd, init() picks SIMD and says why; relaxed SIMD stays available on request", async () => {
    setFusedMaddProbe(() => false);
    const caps = await init();
    expect(caps).toMatchObject({ backend: "simd", simd: true, relaxedSimd: true });
    expect(caps.reason).toMatch(/validates relaxed SIMD, but its multiply-add does not fuse, so the SIMD build/);
    expect((await init({ backend: "relaxed-simd" })).backend).toBe("relaxed-simd");
  });
});
