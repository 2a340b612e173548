// Property tests of the one shape helper (src/shape.ts): every windowed layer
// and the kernel test tables derive their geometry from it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { axisWindow } from "../../src/shape.js";

const dims = fc.record({
  inSize: fc.integer({ min: 1, max: 300 }),
  kernel: fc.integer({ min: 1, max: 11 }),
  stride: fc.integer({ min: 1, max: 5 }),
});

describe("axisWindow", () => {
  it("'same' keeps ceil(in / stride) outputs, pads >= 0, the odd extra after", () => {
    fc.assert(fc.property(dims, ({ inSize, kernel, stride }) => {
      const { out, padBefore, padAfter } = axisWindow(inSize, kernel, stride, "same");
      expect(out).toBe(Math.ceil(inSize / stride));
      expect(padBefore).toBeGreaterThanOrEqual(0);
      expect(padAfter - padBefore === 0 || padAfter - padBefore === 1).toBe(true);
      // The last window ends exactly at the padded edge, or inside the input when no padding is needed.
      const lastEnd = (out - 1) * stride + kernel;
      if (padBefore + padAfter > 0) expect(lastEnd).toBe(inSize + padBefore + padAfter);
      else expect(lastEnd).toBeLessThanOrEqual(inSize);
    }), { numRuns: 500, seed: 7 });
  });

  it("'valid' takes every window that fits and no more", () => {
    fc.assert(fc.property(dims, ({ inSize, kernel, stride }) => {
      const { out, padBefore, padAfter } = axisWindow(inSize, kernel, stride, "valid");
      expect(padBefore + padAfter).toBe(0);
      if (kernel > inSize) {
        expect(out).toBeLessThanOrEqual(0);
        return;
      }
      expect((out - 1) * stride + kernel).toBeLessThanOrEqual(inSize); // the last window fits
      expect(out * stride + kernel).toBeGreaterThan(inSize);           // one more would not
    }), { numRuns: 500, seed: 11 });
  });

  it("matches TensorFlow on the textbook cases", () => {
    expect(axisWindow(28, 5, 1, "valid")).toEqual({ out: 24, padBefore: 0, padAfter: 0 });
    expect(axisWindow(28, 5, 1, "same")).toEqual({ out: 28, padBefore: 2, padAfter: 2 });
    // Even input, stride 2, 3x3: total padding 1 goes to the bottom/right.
    expect(axisWindow(4, 3, 2, "same")).toEqual({ out: 2, padBefore: 0, padAfter: 1 });
    expect(axisWindow(5, 2, 2, "same")).toEqual({ out: 3, padBefore: 0, padAfter: 1 });
  });
});
