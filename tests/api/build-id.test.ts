// Each binary says which build it is (its buildId() export): init() reports
// what it loaded, never just the label it was given, and refuses a binary
// that is not the build explicitly asked for.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { BackendError, capabilities, Dense, init, Sequential } from "simdcnn";

type Variant = "scalar" | "simd" | "relaxed-simd";
const VARIANTS: readonly Variant[] = ["scalar", "simd", "relaxed-simd"];

const require = createRequire(import.meta.url);
const binary = async (variant: Variant): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await readFile(require.resolve(`simdcnn/wasm/${variant}.wasm`)));

// Node 20 runs the relaxed-SIMD binary only with V8's flag; a no-op on Node 22+.
const RELAXED = { nodeRelaxedSimdFlag: true } as const;

function answer(): number[] {
  const model = new Sequential([new Dense({ units: 2 })], { inputShape: [3] });
  model.setWeights([[1, 2, 3, 4, 5, 6], [0.5, -0.5]]);
  return Array.from(model.predict([1, 1, 1]).toArray());
}

const wrongPairs = VARIANTS.flatMap((actual) =>
  VARIANTS.filter((label) => label !== actual).map((label) => [actual, label] as const));

describe("init({ wasm }) reads the binary's build id", () => {
  it.each(wrongPairs)("the %s binary labelled '%s' is refused with a BackendError naming both", async (actual, label) => {
    await init({ backend: "js" });
    const bytes = await binary(actual);
    const attempt = init({ wasm: bytes, backend: label, ...RELAXED });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(init({ wasm: bytes, backend: label, ...RELAXED })).rejects.toThrow(
      `backend '${label}' was requested, but the wasm binary passed is the '${actual}' build`);
    expect(capabilities().backend, "a refused init() keeps the previous backend").toBe("js");
  });

  it.each(wrongPairs)("a precompiled Module of the %s build labelled '%s' is refused too (edge runtimes)", async (actual, label) => {
    await init({ backend: "js", ...RELAXED });
    const module = new WebAssembly.Module(await binary(actual));
    await expect(init({ wasm: module, backend: label })).rejects.toThrow(
      new RegExp(`'${label}'.*'${actual}' build`));
  });

  it.each(VARIANTS)("the %s binary under its own label loads and predicts", async (variant) => {
    const caps = await init({ wasm: await binary(variant), backend: variant, ...RELAXED });
    expect(caps.backend).toBe(variant);
    expect(capabilities().backend).toBe(variant);
    expect(answer()).toEqual([9.5, 11.5]);
  });

  it.each(VARIANTS)("the %s binary under auto is reported as what it is, and predicts", async (variant) => {
    await init({ backend: "js" });
    const caps = await init({ wasm: await binary(variant), ...RELAXED });
    expect(caps.backend).toBe(variant);
    expect(caps.reason).toContain(`is the '${variant}' build`);
    expect(answer()).toEqual([9.5, 11.5]);
    // "auto" spelled out is the same as leaving it out.
    expect((await init({ wasm: await binary(variant), backend: "auto", ...RELAXED })).backend).toBe(variant);
  });

  it.each(VARIANTS)("a precompiled Module of the %s build under auto is reported as what it is", async (variant) => {
    await init({ backend: "js", ...RELAXED });
    const caps = await init({ wasm: new WebAssembly.Module(await binary(variant)) });
    expect(caps.backend).toBe(variant);
    expect(answer()).toEqual([9.5, 11.5]);
  });
});
