// fromPixels on hand-computed 2x2 images (every option, exact values), batches,
// every error (and that no message shows pixel data), and resizing against
// tf.image.resizeBilinear (cpu backend) on odd sizes, up and down.
import { beforeAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { ConfigError, fromPixels, init, ShapeError } from "../../src/index.node.js";
import { resizeBilinear } from "../../src/image/resize.js";

beforeAll(async () => {
  await init({ backend: "js" });
  await tf.setBackend("cpu");
});

// 2x2 RGBA: red, green / blue, (10, 20, 30) with alpha that must be dropped.
const RGBA = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 7]);
const RGB = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
const img = () => ({ data: RGBA, width: 2, height: 2 });
const f32 = (v: number[]) => Array.from(new Float32Array(v));
const values = (t: { toArray(): Float32Array }) => Array.from(t.toArray());

describe("fromPixels: values", () => {
  it("RGBA drops alpha and divides by 255 by default", () => {
    const x = fromPixels(img());
    expect(x.shape).toEqual([1, 2, 2, 3]);
    expect(values(x)).toEqual(f32(RGB.map((v) => v / 255)));
  });

  it("packed RGB (3 bytes a pixel) and Uint8Array read the same", () => {
    const x = fromPixels({ data: new Uint8Array(RGB), width: 2, height: 2 });
    expect(values(x)).toEqual(f32(RGB.map((v) => v / 255)));
  });

  it("grey sources (1 byte a pixel) with channels: 1", () => {
    const x = fromPixels({ data: new Uint8Array([0, 51, 102, 255]), width: 2, height: 2 }, { channels: 1 });
    expect(x.shape).toEqual([1, 2, 2, 1]);
    expect(values(x)).toEqual(f32([0, 0.2, 0.4, 1]));
  });

  it("channels: 1 mixes grey with tf.image.rgbToGrayscale's weights", () => {
    const x = fromPixels(img(), { channels: 1, normalize: { mean: 0, std: 1 / 255 } }); // keeps 0..255
    const expected = [0.2989 * 255, 0.587 * 255, 0.114 * 255, 0.2989 * 10 + 0.587 * 20 + 0.114 * 30];
    expect(values(x)).toEqual(f32(expected));
    const ref = tf.image.rgbToGrayscale(tf.tensor3d(RGB, [2, 2, 3])).dataSync();
    values(x).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 4));
  });

  it('"-1..1" is x / 127.5 - 1', () => {
    expect(values(fromPixels(img(), { normalize: "-1..1" }))).toEqual(f32(RGB.map((v) => v / 127.5 - 1)));
    const ends = fromPixels({ data: new Uint8Array([0, 255, 0, 255]), width: 2, height: 2 }, { channels: 1, normalize: "-1..1" });
    expect(values(ends)).toEqual([-1, 1, -1, 1]);
  });

  it("{ mean, std } is (x / 255 - mean) / std per channel", () => {
    const mean = [0.5, 0.25, 0.125];
    const std = [0.5, 0.25, 2];
    const x = fromPixels(img(), { normalize: { mean, std } });
    const expected = RGB.map((v, i) => (v / 255 - mean[i % 3]!) / std[i % 3]!);
    values(x).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(values(fromPixels(img(), { normalize: { mean: 0.5, std: 0.5 } }))[0]).toBe(1); // (1 - 0.5) / 0.5
  });

  it("resize to the same size is the identity; to 1x1 takes the top-left pixel", () => {
    expect(values(fromPixels(img(), { resize: [2, 2] }))).toEqual(values(fromPixels(img())));
    expect(values(fromPixels(img(), { resize: [1, 1] }))).toEqual([1, 0, 0]);
  });

  it("resize 2x2 -> 4x4 by hand (alignCorners false: source = out * 0.5)", () => {
    const grey = { data: new Uint8Array([0, 100, 200, 40]), width: 2, height: 2 };
    const x = fromPixels(grey, { channels: 1, resize: [4, 4], normalize: { mean: 0, std: 1 / 255 } });
    // rows 0..3 read source rows 0, 0.5, 1, 1.5 (clamped to row 1); the same for columns
    const row0 = [0, 50, 100, 100];
    const row2 = [200, 120, 40, 40];
    const row1 = row0.map((v, i) => (v + row2[i]!) / 2);
    expect(values(x)).toEqual(f32([...row0, ...row1, ...row2, ...row2]));
  });

  it("several sources make a batch, in order", () => {
    const other = { data: new Uint8Array(RGB.map((v) => 255 - v)), width: 2, height: 2 };
    const x = fromPixels([img(), other, img()]);
    expect(x.shape).toEqual([3, 2, 2, 3]);
    const a = f32(RGB.map((v) => v / 255));
    const b = f32(RGB.map((v) => (255 - v) / 255));
    expect(values(x)).toEqual([...a, ...b, ...a]);
  });

  it("images of different sizes batch once resized to one size", () => {
    const big = { data: new Uint8ClampedArray(3 * 5 * 4).fill(255), width: 5, height: 3 };
    const x = fromPixels([img(), big], { resize: [2, 2] });
    expect(x.shape).toEqual([2, 2, 2, 3]);
    expect(values(x).slice(12)).toEqual(new Array(12).fill(1));
  });
});

describe("fromPixels: resize matches tf.image.resizeBilinear", () => {
  const cases: [number, number, number, number, number][] = [
    [5, 7, 3, 11, 9], [7, 5, 3, 3, 2], [9, 13, 1, 4, 6], [3, 3, 3, 8, 5], [17, 11, 3, 17, 4], [4, 6, 1, 1, 13],
  ];
  for (const [h, w, c, oh, ow] of cases) {
    it(`${h}x${w}x${c} -> ${oh}x${ow}`, () => {
      const src = Float32Array.from({ length: h * w * c }, (_v, i) => (i * 37) % 256);
      const ours = resizeBilinear(src, h, w, c, oh, ow);
      const ref = tf.image.resizeBilinear(tf.tensor3d(src, [h, w, c]), [oh, ow]).dataSync();
      expect(ours.length).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) expect(ours[i]).toBeCloseTo(ref[i]!, 3);
    });
  }

  it("through fromPixels, on a random RGBA image", () => {
    const [h, w] = [13, 7];
    const data = Uint8ClampedArray.from({ length: h * w * 4 }, (_v, i) => (i * 101 + 7) % 256);
    const x = fromPixels({ data, width: w, height: h }, { resize: [5, 10] });
    const rgb = Array.from({ length: h * w * 3 }, (_v, i) => data[Math.floor(i / 3) * 4 + (i % 3)]!);
    const ref = tf.div(tf.image.resizeBilinear(tf.tensor3d(rgb, [h, w, 3]), [5, 10]), 255).dataSync();
    values(x).forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
  });
});

describe("fromPixels: errors", () => {
  // Distinctive byte values: no message may contain them.
  const secret = new Uint8ClampedArray(2 * 2 * 4 + 1).fill(173);
  const cases: [string, () => unknown, typeof ShapeError | typeof ConfigError, RegExp][] = [
    ["bytes per pixel", () => fromPixels({ data: secret, width: 2, height: 2 }), ShapeError, /needs 4 \(grey\), 12 \(RGB\) or 16 \(RGBA\) bytes, but data has 17/],
    ["bytes per pixel 2", () => fromPixels({ data: new Uint8Array(8).fill(173), width: 2, height: 2 }), ShapeError, /data has 8/],
    ["width 0", () => fromPixels({ data: secret, width: 0, height: 2 }), ShapeError, /width must be a positive integer, got 0/],
    ["height 1.5", () => fromPixels({ data: secret, width: 2, height: 1.5 }), ShapeError, /height must be a positive integer, got 1.5/],
    ["grey to 3 channels", () => fromPixels({ data: new Uint8Array(4).fill(173), width: 2, height: 2 }), ShapeError, /grey .* pass channels: 1/],
    ["batch of sizes", () => fromPixels([img(), { data: new Uint8Array(27).fill(173), width: 3, height: 3 }]), ShapeError, /image 1 is 3x3 .* image 0 is 2x2.*resize/],
    ["empty batch", () => fromPixels([]), ShapeError, /empty array/],
    ["Float32Array data", () => fromPixels({ data: new Float32Array(16).fill(173) as unknown as Uint8Array, width: 2, height: 2 }), ConfigError, /a Float32Array of length 16/],
    ["number[] data", () => fromPixels({ data: new Array(16).fill(173) as unknown as Uint8Array, width: 2, height: 2 }), ConfigError, /an array of length 16/],
    ["not an image", () => fromPixels({ pixels: secret } as never), ConfigError, /keys pixels/],
    ["not an object", () => fromPixels(true as never), ConfigError, /got true/],
    ["canvas without a 2-D canvas", () => fromPixels({ getContext: () => null, width: 2, height: 2 } as never), ConfigError, /no 2-D canvas/],
    ["unknown option", () => fromPixels(img(), { chanels: 1 } as never), ConfigError, /did you mean 'channels'/],
    ["channels 4", () => fromPixels(img(), { channels: 4 as 3 }), ConfigError, /channels must be 1 or 3, got 4/],
    ["resize", () => fromPixels(img(), { resize: [0, 2] }), ConfigError, /resize must be \[height, width\]/],
    ["normalize name", () => fromPixels(img(), { normalize: "0..255" as "0..1" }), ConfigError, /normalize must be/],
    ["normalize length", () => fromPixels(img(), { normalize: { mean: [0.5, 0.5], std: 1 } }), ConfigError, /mean must be .* 3 of them/],
    ["normalize std 0", () => fromPixels(img(), { normalize: { mean: 0, std: [1, 0, 1] } }), ConfigError, /std must not be 0/],
    ["normalize key", () => fromPixels(img(), { normalize: { mean: 0, stdev: 1 } as never }), ConfigError, /unknown option 'stdev'/],
  ];
  for (const [name, call, type, message] of cases) {
    it(name, () => {
      let error: unknown;
      try { call(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(type);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text).not.toContain("173");
    });
  }

  it("a batch error names the image", () => {
    expect(() => fromPixels([img(), { data: secret, width: 2, height: 2 }])).toThrow(/fromPixels: image 1: a 2x2 image/);
  });
});
