// fillUniform (the uniform initializers' weight fill): every wasm binary
// writes the same bits as the plain-JS kernel, which is pinned to the
// tests' own copy of mulberry32 (tests/support/rng.ts), over lengths around the vector width, seeds
// at the ends of the 32-bit range and limits of both signs.
import { beforeAll, describe, expect, it } from "vitest";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { mulberry32 } from "../support/rng.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { freshArena } from "../support/run.js";

const CASES: [length: number, seed: number, limit: number][] = [
  [1, 0, 1], [3, 1, 0.5], [4, 0x7fffffff, 0.05], [5, 0x80000000, 2], [17, 0xffffffff, -0.3], [48000, 123456789, 0.1],
];

function run(kernels: Kernels, length: number, seed: number, limit: number): Float32Array {
  const arena = freshArena(kernels);
  const out = arena.alloc(length, "out");
  kernels.fillUniform(out, length, seed, limit);
  arena.verify(`fillUniform(${length}, ${seed}, ${limit})`);
  return arena.read(out, length);
}

describe("fillUniform", () => {
  const js = createJsKernels();

  it.each(CASES)("js: length %i, seed %i, limit %f is (2u - 1) * limit with u from mulberry32(seed)", (length, seed, limit) => {
    const random = mulberry32(seed);
    expect(run(js, length, seed, limit)).toEqual(Float32Array.from({ length }, () => (2 * random() - 1) * limit));
  });

  for (const variant of WASM_VARIANTS) {
    describe(`${variant}.wasm`, () => {
      let wasm: Kernels;
      beforeAll(async () => {
        wasm = await loadWasmKernels(variant);
      });
      it.each(CASES)("length %i, seed %i, limit %f: the same bits as js", (length, seed, limit) => {
        const got = run(wasm, length, seed, limit);
        const want = run(js, length, seed, limit);
        expect(new Uint32Array(got.buffer)).toEqual(new Uint32Array(want.buffer));
      });
    });
  }
});
