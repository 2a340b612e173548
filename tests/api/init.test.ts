// The uniform initializers write mulberry32's sequence with the generator
// inlined (src/layers/init.ts, for cold-start speed): pinned here against
// the closure form, so seeded weights stay what they were.
import { describe, expect, it } from "vitest";
import { initialize, mulberry32 } from "../../src/layers/init.js";

describe("uniform initializers", () => {
  it.each([["glorotUniform", 400, 120, 1], ["heUniform", 25, 6, 0xffffffff], ["lecunUniform", 7, 3, 12345]] as const)(
    "%s (fanIn %i, fanOut %i, seed %i) is (2 u - 1) * limit with u from mulberry32(seed)", (name, fanIn, fanOut, seed) => {
      const size = 1000;
      const out = new Float32Array(size + 2);
      initialize(name, out, 1, size, fanIn, fanOut, seed);
      const n = name === "glorotUniform" ? (fanIn + fanOut) / 2 : fanIn;
      const limit = Math.sqrt((3 * (name === "heUniform" ? 2 : 1)) / n);
      const random = mulberry32(seed);
      const expected = Float32Array.from({ length: size }, () => (2 * random() - 1) * limit);
      expect(out.subarray(1, size + 1)).toEqual(expected);
      expect([out[0], out[size + 1]], "nothing written outside [offset, offset + size)").toEqual([0, 0]);
    });
});
