// The browser demo's preprocessing (demo/web/preprocess.js) and digit file
// (demo/web/digit-file.js), on Node: box-filter resizing by hand, a drawn
// bar framed as MNIST frames a digit, and the proof that matters: held-out
// MNIST digits, blown up eightfold and moved off-centre as a drawing on the
// pad would be, come back through the preprocessing to what the shipped
// model reads almost as well as the originals.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { init, loadModel, type Tensor } from "simdcnn";
import { loadDigits } from "../../demo/digits.mjs";
import { decodeDigits, encodeDigits, pixelByte, pixelValue } from "../../demo/web/digit-file.js";
import { areaResize, inkBounds, mnistDigit } from "../../demo/web/preprocess.js";

const SHIPPED = join(import.meta.dirname, "..", "..", "models", "lenet", "model.json");

describe("areaResize", () => {
  it("averages the area each output pixel covers, fractions weighted", () => {
    expect(Array.from(areaResize(Float32Array.from([1, 2, 3, 4]), 4, 1, 2, 1))).toEqual([1.5, 3.5]);
    // 3 -> 2 columns: output 0 covers input 0 and half of 1; rows 2 -> 1 average.
    expect(Array.from(areaResize(Float32Array.from([0, 255, 255, 0, 0, 0]), 3, 2, 2, 1))).toEqual([42.5, 127.5]);
    // 1 -> 3 (enlarging) repeats the value; same size is the identity.
    expect(Array.from(areaResize(Float32Array.from([6]), 1, 1, 3, 1))).toEqual([6, 6, 6]);
    const ramp = Float32Array.from({ length: 12 }, (_, i) => i);
    expect(areaResize(ramp, 4, 3, 4, 3)).toEqual(ramp);
  });
});

describe("mnistDigit", () => {
  it("is null for a blank pad, and inkBounds finds a single pixel", () => {
    expect(mnistDigit(50, 40, () => 0)).toBeNull();
    expect(inkBounds(50, 40, (i) => (i === 3 * 50 + 7 ? 9 : 0))).toEqual({ left: 7, top: 3, width: 1, height: 1 });
  });

  it("scales a 10x40 bar to 5x20 and centres its mass at (14, 14)", () => {
    const [w, h] = [100, 90];
    const bar = (i: number) => (i % w >= 61 && i % w < 71 && Math.floor(i / w) >= 3 && Math.floor(i / w) < 43 ? 255 : 0);
    const digit = mnistDigit(w, h, bar)!;
    const expected = new Uint8ClampedArray(28 * 28);
    // Mass centre of the 5x20 bar is (2.5, 10): shifted by round(11.5) = 12 and 4.
    for (let y = 4; y < 24; y++) for (let x = 12; x < 17; x++) expected[y * 28 + x] = 255;
    expect(digit).toEqual(expected);
  });

  it("frames held-out MNIST digits drawn eight times larger, off-centre, so the shipped model reads them as well", async () => {
    await init({ nodeRelaxedSimdFlag: true });
    const model = await loadModel(SHIPPED);
    const test = loadDigits(800, 50);
    const [pad, zoom] = [280, 8];
    const framed = new Float32Array(test.x.length);
    for (let k = 0; k < test.count; k++) {
      // Nearest-neighbour 8x, at a corner that varies: a drawing is rarely centred.
      const [left, top] = [10 + (k % 5) * 9, 40 - (k % 7) * 5];
      const ink = (i: number) => {
        const [x, y] = [(i % pad) - left, Math.floor(i / pad) - top];
        if (x < 0 || y < 0 || x >= 28 * zoom || y >= 28 * zoom) return 0;
        return pixelByte(test.x[k * 784 + Math.floor(y / zoom) * 28 + Math.floor(x / zoom)]!);
      };
      const digit = mnistDigit(pad, pad, ink)!;
      framed.set(Array.from(digit, (v) => v / 255), k * 784);
    }
    const accuracy = (x: Float32Array) => {
      const probs = (model.predict(x) as Tensor).toArray();
      let right = 0;
      for (let k = 0; k < test.count; k++) {
        const row = Array.from(probs.subarray(k * 10, k * 10 + 10));
        if (row.indexOf(Math.max(...row)) === test.labels[k]) right++;
      }
      return right / test.count;
    };
    const [original, reframed] = [accuracy(test.x), accuracy(framed)];
    expect(original).toBeGreaterThan(0.95);
    expect(reframed, `${test.count} digits: ${original} as MNIST has them, ${reframed} framed from the pad`)
      .toBeGreaterThanOrEqual(original - 0.02);
    model.dispose();
  });
});

describe("the digit file", () => {
  it("keeps the mnist package's floats exactly, and refuses another file", () => {
    const values = Float32Array.from({ length: 256 }, (_, b) => pixelValue(b));
    for (let b = 0; b < 256; b++) expect(pixelByte(values[b]!)).toBe(b);
    const x = Float32Array.from({ length: 3 * 784 }, (_, i) => values[(i * 37) % 256]!);
    const file = encodeDigits({ x: x.subarray(0, 2 * 784), labels: Int32Array.from([7, 2]) },
      { x: x.subarray(2 * 784), labels: Int32Array.from([9]) });
    expect(file.length).toBe(16 + 3 * 785);
    const { train, test } = decodeDigits(file);
    expect([train.count, test.count]).toEqual([2, 1]);
    expect(Array.from(train.labels)).toEqual([7, 2]);
    expect(Array.from(test.labels)).toEqual([9]);
    expect(train.x).toEqual(x.subarray(0, 2 * 784));
    expect(test.x).toEqual(x.subarray(2 * 784));
    expect(() => decodeDigits(file.subarray(0, file.length - 1))).toThrow(/header promises 3 digits/);
    expect(() => decodeDigits(new TextEncoder().encode("PNG....."))).toThrow(/not a digit file/);
  });
});
