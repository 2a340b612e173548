// assembly/common/f64math.ts (the losses' table-free f64 exp / log / log1p)
// against V8's Math on the domains the losses use and beyond. The file is
// compiled on its own with asc (a devDependency), since the shipped binaries
// do not export these helpers.
import { readFileSync } from "node:fs";
import asc from "assemblyscript/asc";
import { beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../support/rng.js";

type Fn = (x: number) => number;
let lib: { exp64: Fn; log64: Fn; log1p64: Fn };

/** Largest error allowed, in units in the last place of V8's (<= 1 ulp) result. */
const MAX_ULPS = 2;

beforeAll(async () => {
  const source = readFileSync(new URL("../../assembly/common/f64math.ts", import.meta.url), "utf8");
  const { error, binary, stderr } = await asc.compileString(source, { optimizeLevel: 3, runtime: "stub", noAssert: true });
  if (error || !binary) throw new Error(`asc failed on f64math.ts: ${error?.message}\n${stderr}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(binary as Uint8Array<ArrayBuffer>), {});
  lib = instance.exports as unknown as typeof lib;
}, 60_000);

/** Size of one unit in the last place at y (subnormal spacing below 2^-1022). */
function ulp(y: number): number {
  const a = Math.abs(y);
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

/** Worst error of f against ref over xs, in ulps of ref, and where. */
function worst(f: Fn, ref: Fn, xs: Iterable<number>): { ulps: number; x: number } {
  let out = { ulps: 0, x: NaN };
  for (const x of xs) {
    const want = ref(x);
    const got = f(x);
    const e = got === want ? 0 : Math.abs(got - want) / ulp(want);
    if (!(e <= out.ulps)) out = { ulps: e, x };
  }
  return out;
}

function* uniform(seed: number, n: number, lo: number, hi: number): Generator<number> {
  const r = mulberry32(seed);
  for (let i = 0; i < n; i++) yield lo + (hi - lo) * r();
}

function* logUniform(seed: number, n: number, lo: number, hi: number): Generator<number> {
  for (const e of uniform(seed, n, Math.log(lo), Math.log(hi))) yield Math.exp(e);
}

describe("f64 exp / log / log1p without tables", () => {
  it(`exp64 is within ${MAX_ULPS} ulp of Math.exp`, () => {
    for (const [seed, lo, hi] of [[1, -1, 1], [2, -100, 0], [3, -745, 709.78]] as const) {
      const w = worst((x) => lib.exp64(x), Math.exp, uniform(seed, 200_000, lo, hi));
      expect(w.ulps, `worst at x = ${w.x}`).toBeLessThanOrEqual(MAX_ULPS);
    }
  });

  it(`log64 is within ${MAX_ULPS} ulp of Math.log, subnormals included`, () => {
    for (const [seed, lo, hi] of [[4, 0.5, 2], [5, 1, 1000], [6, 1e-300, 1e300], [7, 5e-324, 2 ** -1022]] as const) {
      const w = worst((x) => lib.log64(x), Math.log, logUniform(seed, 200_000, lo, hi));
      expect(w.ulps, `worst at x = ${w.x}`).toBeLessThanOrEqual(MAX_ULPS);
    }
  });

  it(`log1p64 is within ${MAX_ULPS} ulp of Math.log1p, tiny arguments included`, () => {
    for (const [seed, lo, hi] of [[8, 0, 1], [9, 1e-300, 1e-3], [10, 1, 1e6], [11, -0.9, 0]] as const) {
      const xs = lo > 0 ? logUniform(seed, 200_000, lo, hi) : uniform(seed, 200_000, lo, hi);
      const w = worst((x) => lib.log1p64(x), Math.log1p, xs);
      expect(w.ulps, `worst at x = ${w.x}`).toBeLessThanOrEqual(MAX_ULPS);
    }
  });

  it("handles the edges as Math does", () => {
    const { exp64, log64, log1p64 } = lib;
    expect([exp64(NaN), exp64(Infinity), exp64(-Infinity), exp64(710), exp64(-746), exp64(0)])
      .toEqual([NaN, Infinity, 0, Infinity, 0, 1]);
    expect(exp64(-745)).toBe(Math.exp(-745)); // the smallest subnormal
    expect([log64(0), log64(-1), log64(Infinity), log64(NaN), log64(1), log64(5e-324)])
      .toEqual([-Infinity, NaN, Infinity, NaN, 0, Math.log(5e-324)]);
    expect([log1p64(0), log1p64(-1), log1p64(5e-324), log1p64(1)]).toEqual([0, -Infinity, 5e-324, Math.log1p(1)]);
  });
});
