// GEMM: every wasm binary against the plain-JS oracle, on shapes chosen like
// XNNPACK's GemmMicrokernelTester: 1, tile-1, tile, tile+1 and primes around
// the 4x8 register tile, plus k from 1 to long reductions; every activation,
// with and without bias. The oracle itself is checked on hand-computed cases.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ActivationId } from "../../assembly/shared/ids.js";
import { createJsKernels } from "../../src/backend/js.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { loadWasmKernels, WASM_VARIANTS } from "../support/backends.js";
import { expectAllClose } from "../support/compare.js";
import { PROPERTY_RUNS, PROPERTY_SEED } from "../support/property.js";
import { randomFloats, seedFrom } from "../support/rng.js";
import { ALL_ACTIVATIONS, activationName, LEAKY_ALPHA, runGemm, type GemmInputs } from "../support/run.js";
import { fusedTolerance, KNOWN_ANSWER_ABS } from "../tolerances.js";

/** The wasm GEMM register tile: rows of A x columns of B per micro-kernel call. */
const TILE_M = 4;
const TILE_N = 8;

const M_SIZES = [1, TILE_M - 1, TILE_M, TILE_M + 1, 2 * TILE_M, 11];
const N_SIZES = [1, TILE_N - 1, TILE_N, TILE_N + 1, 2 * TILE_N, 2 * TILE_N + 1, 23];
const K_SIZES = [1, 3, 4, 8, 37];

interface GemmCase {
  label: string;
  m: number;
  k: number;
  n: number;
  act: ActivationId;
  bias: boolean;
}

function gemmCase(m: number, k: number, n: number, act: ActivationId, bias: boolean): GemmCase {
  return { label: `m${m} k${k} n${n} ${activationName(act)}${bias ? " +bias" : ""}`, m, k, n, act, bias };
}

const SHAPE_CASES: GemmCase[] = [];
for (const m of M_SIZES) {
  for (const n of N_SIZES) {
    for (const k of K_SIZES) SHAPE_CASES.push(gemmCase(m, k, n, ActivationId.Linear, (m + n + k) % 2 === 0));
  }
}

const ACTIVATION_CASES: GemmCase[] = ALL_ACTIVATIONS.flatMap((act) => [
  gemmCase(5, 13, 9, act, true),
  gemmCase(5, 13, 9, act, false),
  gemmCase(1, 64, 17, act, true),
]);

/**
 * Larger shapes: several full tiles plus ragged edges, a batch-1 dense layer,
 * a long reduction; rows outside the 4-row tiles, which the SIMD builds run
 * as groups of four panels (1x32), then three (1x24), then single panels
 * (1x8), in every mix; and a k*n large enough that the packed B is
 * processed in several L2-sized panel blocks.
 */
const LARGE_CASES: GemmCase[] = [
  gemmCase(1, 64, 97, ActivationId.Sigmoid, true),
  gemmCase(3, 20, 32, ActivationId.LeakyRelu, true),
  gemmCase(6, 33, 65, ActivationId.Linear, false),
  gemmCase(5, 1500, 70, ActivationId.Relu, true),
  gemmCase(64, 300, 129, ActivationId.Relu, true),
  gemmCase(1, 1024, 10, ActivationId.Linear, true),
  gemmCase(37, 9, 64, ActivationId.Tanh, true),
  gemmCase(2, 2049, 3, ActivationId.Linear, false),
  // Plain SIMD's 2x16 tile with a 4x8 tail (n % 16 != 0): sigmoid/tanh run after both, exactly once.
  gemmCase(5, 13, 20, ActivationId.Sigmoid, true),
  gemmCase(8, 24, 40, ActivationId.Tanh, false),
  gemmCase(7, 17, 33, ActivationId.LeakyRelu, true),
  // Row kernels: 1x32 + 1x24; 1x32 + 1x8 + a partial panel; 1x32 x 2 on two tail rows (m = 6).
  gemmCase(1, 50, 56, ActivationId.Relu, true),
  gemmCase(1, 33, 43, ActivationId.Sigmoid, true),
  gemmCase(6, 70, 64, ActivationId.Linear, false),
  // LeNet's dense layers at batch 1 (1x32 x 3 + 1x24; 1x32 x 2 + 1x8 x 2 + a partial panel) and 3 (4x8 tiles skipped: m < 4).
  gemmCase(1, 400, 120, ActivationId.Relu, true),
  gemmCase(1, 120, 84, ActivationId.Relu, true),
  gemmCase(3, 400, 120, ActivationId.LeakyRelu, false),
];

function inputsFor(c: Pick<GemmCase, "m" | "k" | "n" | "act" | "bias">, seed: number): GemmInputs {
  return {
    m: c.m, k: c.k, n: c.n,
    a: randomFloats(c.m * c.k, seed),
    b: randomFloats(c.k * c.n, seed + 1),
    bias: c.bias ? randomFloats(c.n, seed + 2) : null,
    act: c.act,
    alpha: LEAKY_ALPHA,
  };
}

const js = createJsKernels();

describe("js gemm: known answers", () => {
  // A = [[1, 2, 3], [-4, 5, -6]], B = [[1, 0], [0, 1], [1, -1]], bias = [0.5, -1]
  // A*B = [[1 + 3, 2 - 3], [-4 - 6, 5 + 6]] = [[4, -1], [-10, 11]]
  const base = {
    m: 2, k: 3, n: 2,
    a: Float32Array.of(1, 2, 3, -4, 5, -6),
    b: Float32Array.of(1, 0, 0, 1, 1, -1),
    bias: Float32Array.of(0.5, -1),
    alpha: LEAKY_ALPHA,
  };
  const cases: [string, ActivationId, Float32Array | null, number[]][] = [
    ["linear, no bias", ActivationId.Linear, null, [4, -1, -10, 11]],
    ["linear + bias", ActivationId.Linear, base.bias, [4.5, -2, -9.5, 10]],
    ["relu + bias", ActivationId.Relu, base.bias, [4.5, 0, 0, 10]],
    ["leakyRelu(0.2) + bias", ActivationId.LeakyRelu, base.bias, [4.5, -0.4, -1.9, 10]],
    ["sigmoid, no bias", ActivationId.Sigmoid, null, [4, -1, -10, 11].map((v) => 1 / (1 + Math.exp(-v)))],
    ["tanh, no bias", ActivationId.Tanh, null, [4, -1, -10, 11].map(Math.tanh)],
  ];
  it.each(cases)("%s", (label, act, bias, expected) => {
    const got = runGemm(js, { ...base, bias, act }, label);
    expectAllClose(got, Float32Array.from(expected), { abs: KNOWN_ANSWER_ABS, rel: 0 }, label);
  });

  it("k = 1 is an outer product", () => {
    const got = runGemm(js, {
      m: 3, k: 1, n: 2, a: Float32Array.of(1, 2, 3), b: Float32Array.of(10, -1), bias: null,
      act: ActivationId.Linear, alpha: LEAKY_ALPHA,
    }, "outer");
    expect(Array.from(got)).toEqual([10, -1, 20, -2, 30, -3]);
  });
});

describe.each(WASM_VARIANTS)("gemm: %s.wasm vs js", (variant) => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await loadWasmKernels(variant);
  });

  // The kernel contract: k = 0 gives act(bias) in every row, on every path
  // (the row kernels, 4x8 tiles, and plain SIMD's 2x16 tile with its blocking).
  it.each([[1, 20], [1, 40], [2, 24], [5, 20], [6, 40], [9, 7]])("k = 0 gives act(bias): m %i n %i", (m, n) => {
    const bias = randomFloats(n, 7 + n);
    for (const act of [ActivationId.Linear, ActivationId.Relu, ActivationId.Sigmoid]) {
      const inputs: GemmInputs = { m, k: 0, n, a: new Float32Array(0), b: new Float32Array(0), bias, act, alpha: LEAKY_ALPHA };
      const row = runGemm(js, { ...inputs, m: 1 }, "k0 oracle");
      const expected = new Float32Array(m * n);
      for (let i = 0; i < m; i++) expected.set(row, i * n);
      expectAllClose(runGemm(wasm, inputs, `k0 m${m} n${n}`), expected, { abs: KNOWN_ANSWER_ABS, rel: 0 }, `${variant}.wasm k = 0`);
    }
  });

  const check = (c: GemmCase): void => {
    const inputs = inputsFor(c, seedFrom(c.label));
    const expected = runGemm(js, inputs, c.label);
    const actual = runGemm(wasm, inputs, c.label);
    expectAllClose(actual, expected, fusedTolerance(c.k), `${variant}.wasm gemm ${c.label}`);
  };

  it.each(SHAPE_CASES)("$label", check);
  it.each(ACTIVATION_CASES)("$label", check);
  it.each(LARGE_CASES)("$label", check);

  it("property: random shapes, activations and bias agree with js", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(...ALL_ACTIVATIONS),
        fc.boolean(),
        fc.integer({ min: 0, max: 0x7fffffff }),
        (m, k, n, act, bias, seed) => {
          const c = gemmCase(m, k, n, act, bias);
          const inputs = inputsFor(c, seed);
          const expected = runGemm(js, inputs, c.label);
          const actual = runGemm(wasm, inputs, c.label);
          expectAllClose(actual, expected, fusedTolerance(k), `${variant}.wasm gemm ${c.label} seed ${seed}`);
        }),
      { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED },
    );
  });
});
