// featureMapGrid and kernelGrid: the layout formula, gutters, the colour map's
// ends on a known ramp, per-cell vs shared scaling, constant and non-finite
// cells, 2-D outputs, a real model's feature maps, kernels of known weights
// (RGB and colour-mapped, Conv2D and DepthwiseConv2D), and every error.
import { beforeAll, describe, expect, it } from "vitest";
import {
  ConfigError, Conv2D, Dense, DepthwiseConv2D, featureMapGrid, Flatten, init, kernelGrid, Sequential, ShapeError,
  tensor, type RgbaImage,
} from "../../src/index.node.js";
import { VIRIDIS } from "../../src/image/colormap.js";

beforeAll(async () => {
  await init({ backend: "js" });
});

const DARK = [68, 1, 84, 255]; // #440154
const BRIGHT = [253, 231, 37, 255]; // #fde725
const CLEAR = [0, 0, 0, 0];
const pixel = (img: RgbaImage, x: number, y: number) => Array.from(img.data.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
const colour = (t: number) => [...VIRIDIS.slice(3 * Math.round(t * 255), 3 * Math.round(t * 255) + 3), 255];

/** [1, h, w, c] with channel k of pixel (y, x) = f(y, x, k). */
function map(h: number, w: number, c: number, f: (y: number, x: number, k: number) => number, n = 1) {
  const data = new Float32Array(n * h * w * c);
  for (let s = 0; s < n; s++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    data[((s * h + y) * w + x) * c + k] = f(y, x, k) + s * 1000 * (k === 0 ? 1 : 0);
  }
  return { shape: [n, h, w, c], data };
}

describe("viridis table", () => {
  it("runs from #440154 to #fde725 and passes viridis' middle (#21918c, within 2 levels)", () => {
    expect(colour(0)).toEqual(DARK);
    expect(colour(1)).toEqual(BRIGHT);
    const mid = VIRIDIS.slice(3 * 128, 3 * 128 + 3);
    [0x21, 0x91, 0x8c].forEach((v, k) => expect(Math.abs(mid[k]! - v)).toBeLessThanOrEqual(2));
  });
});

describe("featureMapGrid", () => {
  it.each([
    // h, w, c, options, columns, rows
    [3, 4, 5, {}, 3, 2],
    [3, 4, 4, {}, 2, 2],
    [2, 2, 1, {}, 1, 1],
    [5, 3, 7, { columns: 7 }, 7, 1],
    [2, 3, 6, { columns: 4, cellSize: 3 }, 4, 2],
    [2, 2, 3, { columns: 10 }, 3, 1], // columns past the channel count shrink to it
  ] as const)("%i x %i x %i %o: columns * (w * cellSize + 1) - 1 wide", (h, w, c, options, columns, rows) => {
    const img = featureMapGrid(map(h, w, c, (y, x) => y + x), options);
    const zoom = (options as { cellSize?: number }).cellSize ?? 1;
    expect(img.width).toBe(columns * (w * zoom + 1) - 1);
    expect(img.height).toBe(rows * (h * zoom + 1) - 1);
    expect(img.data.length).toBe(img.width * img.height * 4);
  });

  it("gutters and unused cells are transparent; every cell pixel is opaque", () => {
    const [h, w, c] = [3, 4, 5]; // 3 columns, 2 rows, last cell unused
    const img = featureMapGrid(map(h, w, c, (y, x, k) => y * w + x + k));
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const gutter = x % (w + 1) === w || y % (h + 1) === h;
        const unused = Math.floor(y / (h + 1)) * 3 + Math.floor(x / (w + 1)) >= c;
        if (gutter || unused) expect(pixel(img, x, y)).toEqual(CLEAR);
        else expect(pixel(img, x, y)[3]).toBe(255);
      }
    }
  });

  it("a ramp maps to the colour map's ends and its middle, channel k in cell k", () => {
    // channel 1 is a ramp 0..4 along x (row-constant); channel 0 is its reverse
    const img = featureMapGrid(map(1, 5, 2, (_y, x, k) => (k === 1 ? x : 4 - x)));
    expect(img.width).toBe(2 * 6 - 1);
    for (let x = 0; x < 5; x++) {
      expect(pixel(img, 6 + x, 0)).toEqual(colour(x / 4));
      expect(pixel(img, x, 0)).toEqual(colour(1 - x / 4));
    }
    expect(pixel(img, 6, 0)).toEqual(DARK);
    expect(pixel(img, 10, 0)).toEqual(BRIGHT);
  });

  it("cellSize repeats each value in a square", () => {
    const img = featureMapGrid(map(1, 2, 1, (_y, x) => x), { cellSize: 3 });
    expect([img.width, img.height]).toEqual([6, 3]);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 6; x++) expect(pixel(img, x, y)).toEqual(x < 3 ? DARK : BRIGHT);
  });

  it("perCell stretches every channel; shared keeps their ratio", () => {
    // channel 0 in 0..1, channel 1 in 0..10
    const fm = map(1, 2, 2, (_y, x, k) => x * (k === 0 ? 1 : 10));
    const own = featureMapGrid(fm);
    expect(pixel(own, 1, 0)).toEqual(BRIGHT);
    expect(pixel(own, 4, 0)).toEqual(BRIGHT);
    const shared = featureMapGrid(fm, { scale: "shared" });
    expect(pixel(shared, 0, 0)).toEqual(DARK);
    expect(pixel(shared, 1, 0)).toEqual(colour(0.1));
    expect(pixel(shared, 4, 0)).toEqual(BRIGHT);
  });

  it("a constant channel (a dead ReLU) is drawn at the dark end, not NaN's colour", () => {
    const img = featureMapGrid(map(2, 2, 2, (y, x, k) => (k === 0 ? 5 : y + x)));
    for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) expect(pixel(img, x, y)).toEqual(DARK);
    const allConstant = featureMapGrid(map(2, 2, 2, () => 3), { scale: "shared" });
    expect(pixel(allConstant, 0, 0)).toEqual(DARK);
  });

  it("non-finite values leave the range to the finite ones and draw dark", () => {
    const values = [NaN, 0, 2, Infinity];
    const img = featureMapGrid({ shape: [1, 1, 4, 1], data: Float32Array.from(values) });
    expect([0, 1, 2, 3].map((x) => pixel(img, x, 0))).toEqual([DARK, DARK, BRIGHT, DARK]);
    expect(pixel(featureMapGrid({ shape: [1, 1, 2, 1], data: [NaN, NaN] }), 1, 0)).toEqual(DARK);
  });

  it("sample picks a sample of the batch", () => {
    const fm = map(1, 2, 1, (_y, x) => x, 2);
    fm.data[2] = 7; fm.data[3] = -7; // sample 1 decreases
    expect(pixel(featureMapGrid(fm), 0, 0)).toEqual(DARK);
    expect(pixel(featureMapGrid(fm, { sample: 1 }), 0, 0)).toEqual(BRIGHT);
  });

  it("a 2-D output is one row of 1x1 cells on a shared scale", () => {
    const img = featureMapGrid({ shape: [1, 5], data: [0, 1, 2, 3, 4] });
    expect([img.width, img.height]).toEqual([9, 1]);
    for (let u = 0; u < 5; u++) expect(pixel(img, 2 * u, 0)).toEqual(colour(u / 4));
    expect(pixel(img, 1, 0)).toEqual(CLEAR);
    const wrapped = featureMapGrid({ shape: [1, 5], data: [0, 1, 2, 3, 4] }, { columns: 2, cellSize: 2 });
    expect([wrapped.width, wrapped.height]).toEqual([5, 8]);
  });

  it("draws a model's feature maps and a Tensor", () => {
    const model = new Sequential([new Conv2D({ filters: 4, kernelSize: 3, seed: 1 }), new Flatten(), new Dense({ units: 3 })],
      { inputShape: [6, 6, 1] });
    const x = tensor(Float32Array.from({ length: 36 }, (_v, i) => Math.sin(i)), [1, 6, 6, 1]);
    const [conv, flat, dense] = model.featureMaps(x);
    expect([featureMapGrid(conv!).width, featureMapGrid(conv!).height]).toEqual([2 * 5 - 1, 2 * 5 - 1]);
    expect(featureMapGrid(flat!).width).toBe(64 * 2 - 1);
    expect(featureMapGrid(dense!).width).toBe(5);
    expect(featureMapGrid(x).data).toEqual(featureMapGrid({ shape: [1, 6, 6, 1], data: x.toArray() }).data);
    model.dispose();
  });

  it.each([
    ["3-D shape", { shape: [2, 2, 1], data: new Float32Array(4) }, {}, ShapeError, /expected a layer output .* got \[2,2,1\]/],
    ["empty", { shape: [1, 0, 2, 1], data: new Float32Array(0) }, {}, ShapeError, /got \[1,0,2,1\]/],
    ["length", { shape: [1, 2, 2, 1], data: new Float32Array(5).fill(0.173) }, {}, ShapeError, /holds 4 values, but data has 5/],
    ["sample", { shape: [2, 2], data: new Float32Array(4) }, { sample: 2 }, ConfigError, /sample 2 is past the batch of 2/],
    ["columns", { shape: [1, 2], data: new Float32Array(2) }, { columns: 0 }, ConfigError, /columns must be a positive integer, got 0/],
    ["cellSize", { shape: [1, 2], data: new Float32Array(2) }, { cellSize: 1.5 }, ConfigError, /cellSize must be a positive integer/],
    ["scale", { shape: [1, 2], data: new Float32Array(2) }, { scale: "perChannel" }, ConfigError, /scale must be "perCell" or "shared"/],
    ["key", { shape: [1, 2], data: new Float32Array(2) }, { colums: 2 }, ConfigError, /did you mean 'columns'/],
  ] as const)("%s is an error", (_name, fm, options, type, message) => {
    const call = () => featureMapGrid(fm, options as never);
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

describe("kernelGrid", () => {
  /** A Conv2D over `cin` channels of an [kh, kw] kernel whose weights are f(y, x, i, o), bias 0. */
  function conv(kh: number, kw: number, cin: number, cout: number, f: (y: number, x: number, i: number, o: number) => number) {
    const layer = new Conv2D({ filters: cout, kernelSize: [kh, kw] });
    const model = new Sequential([layer], { inputShape: [6, 6, cin] });
    const kernel = new Float32Array(kh * kw * cin * cout);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
      kernel[((y * kw + x) * cin + i) * cout + o] = f(y, x, i, o);
    }
    layer.setWeights([kernel, new Float32Array(cout)]);
    return { layer, model };
  }

  it("a Conv2D over 3 channels draws each filter as RGB, stretched to 0..255 per filter", () => {
    // filter 0: pixel (0,0) pure red, (0,1) pure green, (1,0) blue, (1,1) all min; filter 1: twice filter 0, minus 1
    const base = (y: number, x: number, i: number) => (y * 2 + x === i ? 1 : 0);
    const { layer, model } = conv(2, 2, 3, 2, (y, x, i, o) => (o === 0 ? base(y, x, i) : 2 * base(y, x, i) - 1));
    const own = kernelGrid(layer, { scale: "perCell" });
    expect([own.width, own.height]).toEqual([2 * 3 - 1, 2]);
    for (const left of [0, 3]) {
      expect(pixel(own, left, 0)).toEqual([255, 0, 0, 255]);
      expect(pixel(own, left + 1, 0)).toEqual([0, 255, 0, 255]);
      expect(pixel(own, left, 1)).toEqual([0, 0, 255, 255]);
      expect(pixel(own, left + 1, 1)).toEqual([0, 0, 0, 255]);
    }
    expect(pixel(own, 2, 0)).toEqual(CLEAR);
    // default "shared": one range -1..1 for both filters, so filter 0's zeros are mid-grey
    const shared = kernelGrid(layer);
    expect(pixel(shared, 0, 0)).toEqual([255, 128, 128, 255]);
    expect(pixel(shared, 3, 0)).toEqual([255, 0, 0, 255]);
    model.dispose();
  });

  it("rgb: false on 3 channels draws one colour-mapped row per filter", () => {
    const { layer, model } = conv(1, 2, 3, 2, (_y, x, i, o) => x + i + 10 * o);
    const img = kernelGrid(layer, { rgb: false, cellSize: 2 });
    // 3 columns (input channels) of 2x4-pixel cells, 2 rows (filters)
    expect([img.width, img.height]).toEqual([3 * 5 - 1, 2 * 3 - 1]);
    expect(pixel(img, 0, 0)).toEqual(DARK); // filter 0, channel 0, x 0: 0 (the minimum)
    expect(pixel(img, 13, 4)).toEqual(BRIGHT); // filter 1, channel 2, x 1: 13 (the maximum)
    expect(pixel(img, 10, 3)).toEqual(colour(12 / 13)); // filter 1, channel 2, x 0
    expect(pixel(img, 5, 0)).toEqual(colour(1 / 13)); // filter 0, channel 1, x 0
    expect(pixel(img, 0, 3)).toEqual(colour(10 / 13)); // filter 1, channel 0, x 0
    model.dispose();
  });

  it("a Conv2D over 1 channel: one colour-mapped cell per filter, near-square", () => {
    const { layer, model } = conv(3, 3, 1, 5, (y, x, _i, o) => (o === 4 ? y * 3 + x : 0));
    const img = kernelGrid(layer, { scale: "perCell" });
    expect([img.width, img.height]).toEqual([3 * 4 - 1, 2 * 4 - 1]);
    const [left, top] = [4, 4]; // filter 4: row 1, column 1
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) expect(pixel(img, left + x, top + y)).toEqual(colour((y * 3 + x) / 8));
    expect(pixel(img, 0, 0)).toEqual(DARK); // filter 0 is constant
    model.dispose();
  });

  it("a DepthwiseConv2D: one cell per output channel c * M + m", () => {
    const layer = new DepthwiseConv2D({ kernelSize: 1, depthMultiplier: 2 });
    const model = new Sequential([layer], { inputShape: [4, 4, 2] });
    layer.setWeights([new Float32Array([0, 1, 2, 3]), new Float32Array(4)]); // [1, 1, 2, 2]: channel c, m -> 2c + m
    const img = kernelGrid(layer);
    expect([img.width, img.height]).toEqual([3, 3]);
    expect([pixel(img, 0, 0), pixel(img, 2, 0), pixel(img, 0, 2), pixel(img, 2, 2)]).toEqual(
      [0, 1, 2, 3].map((v) => colour(v / 3)));
    expect(() => kernelGrid(layer, { rgb: true })).toThrow(/rgb needs a Conv2D over 3 input channels; DepthwiseConv2D/);
    model.dispose();
  });

  it("errors", () => {
    expect(() => kernelGrid(new Dense({ units: 2 }))).toThrow(/expected a Conv2D or DepthwiseConv2D layer, got Dense/);
    expect(() => kernelGrid(new Conv2D({ filters: 2, kernelSize: 3 }))).toThrow(ConfigError);
    const { layer, model } = conv(1, 1, 2, 1, () => 1);
    expect(() => kernelGrid(layer, { rgb: true })).toThrow(/rgb needs a Conv2D over 3 input channels; Conv2D '.*' has a kernel \[1,1,2,1\]/);
    expect(() => kernelGrid(layer, { cellsize: 2 } as never)).toThrow(/did you mean 'cellSize'/);
    expect(() => kernelGrid(layer, { rgb: 1 as unknown as boolean })).toThrow(/rgb must be true or false/);
    model.dispose();
  });
});
