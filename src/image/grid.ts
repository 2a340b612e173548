// Pictures of what a network computed: featureMapGrid tiles every channel of
// one layer output, kernelGrid every filter of a convolution, each cell in
// the viridis colour map (or RGB for filters over 3 input channels), in a
// near-square grid with 1-pixel transparent gutters. The result is a plain
// RGBA image, ready for `new ImageData(data, width, height)` or a PNG encoder.

import { ConfigError, ShapeError } from "../errors.js";
import { checkConfigKeys } from "../layers/config-keys.js";
import { Conv2D } from "../layers/conv2d.js";
import { DepthwiseConv2D } from "../layers/depthwise-conv2d.js";
import type { Layer } from "../layers/layer.js";
import { formatShape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { VIRIDIS } from "./colormap.js";

/**
 * An RGBA image, 4 bytes per pixel, row by row (the layout of `ImageData`).
 * @example
 * const { width, height, data } = featureMapGrid(maps[0]);
 * const imageData = new ImageData(data, width, height); // in a browser
 * @throws never (a type)
 */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * How cell values become colours. `"perCell"`: each cell (a feature-map
 * channel, a kernel slice or filter) is stretched over the whole colour map,
 * its minimum to the dark end and its maximum to the bright end; `"shared"`:
 * one minimum and maximum for every cell, so cells compare. A cell (or, when
 * shared, an image) with one value only, or with no finite value, is drawn at
 * the dark end; non-finite values are drawn at the dark end too.
 * @example
 * featureMapGrid(maps[0], { scale: "shared" }); // one range for every channel
 * @throws never (a type; the grids throw ConfigError for another value)
 */
export type GridScale = "perCell" | "shared";

/**
 * Options of {@link featureMapGrid}.
 * @example
 * featureMapGrid(maps[0], { sample: 1, columns: 8, scale: "perCell", cellSize: 2 });
 * @throws never (a type; {@link featureMapGrid} throws ConfigError for an unknown key or bad value)
 */
export interface FeatureMapGridOptions {
  /** Which sample of the batch to draw; default 0. */
  sample?: number;
  /** Cells per row; default `ceil(sqrt(channels))` (a 2-D output: all units in one row). */
  columns?: number;
  /** Default `"perCell"` (each channel its own range); `"shared"` for a 2-D output. */
  scale?: GridScale;
  /** Pixels per value along each side (an integer zoom); default 1. */
  cellSize?: number;
}

/**
 * Options of {@link kernelGrid}.
 * @example
 * kernelGrid(conv, { rgb: false, scale: "perCell", cellSize: 8, columns: 4 });
 * @throws never (a type; {@link kernelGrid} throws ConfigError for an unknown key or bad value)
 */
export interface KernelGridOptions {
  /** Cells per row; default `ceil(sqrt(cells))`, or one row per filter for colour-mapped multi-channel kernels. */
  columns?: number;
  /** Default `"shared"` (weights compare across filters); `"perCell"` stretches each one. */
  scale?: GridScale;
  /** Pixels per weight along each side (an integer zoom); default 1. */
  cellSize?: number;
  /** Draw each filter as an RGB image; default true for a Conv2D over 3 input channels. */
  rgb?: boolean;
}

/**
 * A layer output to draw: an entry of `model.featureMaps(x)` (a `FeatureMap`)
 * or any `{ shape, data }` of that layout; {@link featureMapGrid} also takes a Tensor.
 * @example
 * featureMapGrid({ shape: [1, 4, 4, 2], data: new Float32Array(32) });
 * @throws never (a type; {@link featureMapGrid} checks it)
 */
export interface FeatureMapLike {
  shape: readonly number[];
  data: Float32Array | readonly number[];
}

const GRID_KEYS = ["sample", "columns", "scale", "cellSize"] as const satisfies readonly (keyof FeatureMapGridOptions)[];
const KERNEL_KEYS = ["columns", "scale", "cellSize", "rgb"] as const satisfies readonly (keyof KernelGridOptions)[];

/**
 * Draws every channel of one sample of a layer output `[n, h, w, c]` as a
 * grid of `c` cells of `h x w` (times `cellSize`) in the viridis colour map,
 * `columns` to a row with 1-pixel transparent gutters between cells: the
 * image is `columns * (w * cellSize + 1) - 1` pixels wide and
 * `rows * (h * cellSize + 1) - 1` high, `rows = ceil(c / columns)`; cells past
 * the last channel stay transparent. A 2-D output `[n, units]` (a Dense
 * layer's) draws each unit as one 1x1 cell, all in one row, on a shared scale.
 * @param featureMap one entry of `model.featureMaps(x)`, or a Tensor
 * @param options `sample`, `columns`, `scale` ("perCell" or "shared"), `cellSize`
 * @example
 * const maps = model.featureMaps(fromPixels(imageData));
 * const { width, height, data } = featureMapGrid(maps[0], { cellSize: 4 });
 * canvas.getContext("2d").putImageData(new ImageData(data, width, height), 0, 0);
 * @throws {ShapeError} when the shape is not 2-D or 4-D, has an empty dimension, or does
 *   not match the data's length.
 * @throws {ConfigError} for an unknown or invalid option (`sample` past the batch, ...).
 * @throws {DisposedError} for a disposed or stale Tensor.
 */
export function featureMapGrid(featureMap: FeatureMapLike | Tensor, options?: FeatureMapGridOptions): RgbaImage {
  checkConfigKeys(options, GRID_KEYS, "featureMapGrid");
  const shape = [...featureMap.shape];
  const data = "toArray" in featureMap ? featureMap.toArray() : featureMap.data;
  if ((shape.length !== 4 && shape.length !== 2) || shape.some((d) => d === 0)) {
    throw new ShapeError(`featureMapGrid: expected a layer output [n, height, width, channels] or [n, units], ` +
      `got ${formatShape(shape)}`);
  }
  if (data.length !== sizeOf(shape)) {
    throw new ShapeError(`featureMapGrid: shape ${formatShape(shape)} holds ${sizeOf(shape)} values, but data has ${data.length}`);
  }
  const flat = shape.length === 2;
  const [n, h, w, c] = flat ? [shape[0]!, 1, 1, shape[1]!] : shape as [number, number, number, number];
  const sample = option(options?.sample, 0, "sample", "featureMapGrid", 0);
  if (sample >= n) {
    throw new ConfigError(`featureMapGrid: sample ${sample} is past the batch of ${n} (shape ${formatShape(shape)})`);
  }
  const columns = option(options?.columns, flat ? c : Math.ceil(Math.sqrt(c)), "columns", "featureMapGrid");
  const zoom = option(options?.cellSize, 1, "cellSize", "featureMapGrid");
  const scale = readScale(options?.scale, flat ? "shared" : "perCell", "featureMapGrid");
  const base = sample * h * w * c;
  const at = (cell: number, y: number, x: number) => data[base + (y * w + x) * c + cell]!;
  const ranges = cellRanges(c, h * w, (cell, i) => at(cell, Math.floor(i / w), i % w), scale);
  return drawGrid(c, h, w, columns, zoom, (cell, y, x, px) => {
    mapColour(at(cell, y, x), ranges[cell]!, px);
  });
}

/**
 * Draws the kernels of a built `Conv2D` or `DepthwiseConv2D`, one cell of
 * `kh x kw` weights (times `cellSize`) per filter, in the layout of
 * {@link featureMapGrid}:
 * - a Conv2D over 3 input channels (with `rgb`, the default there): each
 *   filter as an RGB image, the input channels as red, green and blue, its
 *   weights stretched to 0..255 (per filter with `"perCell"`);
 * - a Conv2D over 1 input channel: one colour-mapped cell per filter;
 * - a Conv2D over several input channels without `rgb`: one colour-mapped cell
 *   per (filter, input channel) slice, one row per filter (the default `columns`);
 * - a DepthwiseConv2D: one colour-mapped cell per output channel (`c * depthMultiplier + m`).
 * @param layer a Conv2D or DepthwiseConv2D that belongs to a built model
 * @param options `columns`, `scale` ("shared" or "perCell"), `cellSize`, `rgb`
 * @example
 * const conv = model.getLayer("conv2d_1") as Conv2D;
 * const img = kernelGrid(conv, { cellSize: 8 }); // 3 input channels: RGB filters
 * @throws {ConfigError} for another kind of layer, a layer not built yet, `rgb: true` on a
 *   kernel without 3 input channels, or an unknown or invalid option.
 */
export function kernelGrid(layer: Layer, options?: KernelGridOptions): RgbaImage {
  checkConfigKeys(options, KERNEL_KEYS, "kernelGrid");
  if (!(layer instanceof Conv2D || layer instanceof DepthwiseConv2D)) {
    const kind = (layer as { className?: unknown } | null)?.className;
    throw new ConfigError(`kernelGrid: expected a Conv2D or DepthwiseConv2D layer, got ${typeof kind === "string" ? kind : typeof layer}`);
  }
  const kernel = layer.getWeights()[0]!;
  const [kh, kw, cin, cout] = layer.weights()[0]!.shape as [number, number, number, number];
  const depthwise = layer instanceof DepthwiseConv2D;
  const rgbDefault = !depthwise && cin === 3;
  const rgb = options?.rgb ?? rgbDefault;
  if (typeof rgb !== "boolean") throw new ConfigError(`kernelGrid: rgb must be true or false, got ${String(rgb)}`);
  if (rgb && !rgbDefault) {
    throw new ConfigError(`kernelGrid: rgb needs a Conv2D over 3 input channels; ${layer.className} ` +
      `'${layer.name}' has a kernel ${formatShape([kh, kw, cin, cout])}`);
  }
  const scale = readScale(options?.scale, "shared", "kernelGrid");
  const zoom = option(options?.cellSize, 1, "cellSize", "kernelGrid");
  // weight (y, x) of input channel i, filter o
  const weight = (y: number, x: number, i: number, o: number) => kernel[((y * kw + x) * cin + i) * cout + o]!;
  if (rgb) {
    const columns = option(options?.columns, Math.ceil(Math.sqrt(cout)), "columns", "kernelGrid");
    const ranges = cellRanges(cout, kh * kw * 3, (o, j) => weight(Math.floor(j / (3 * kw)), Math.floor(j / 3) % kw, j % 3, o), scale);
    return drawGrid(cout, kh, kw, columns, zoom, (o, y, x, px) => {
      const { min, span } = ranges[o]!;
      for (let k = 0; k < 3; k++) {
        const v = weight(y, x, k, o);
        px[k] = span > 0 && Number.isFinite(v) ? Math.round(((v - min) / span) * 255) : 0;
      }
    });
  }
  // Colour-mapped slices: cell s reads input channel `input(s)` of filter `output(s)`.
  const [cells, input, output, defaultColumns] = depthwise
    ? [cin * cout, (s: number) => Math.floor(s / cout), (s: number) => s % cout, Math.ceil(Math.sqrt(cin * cout))]
    : cin === 1
      ? [cout, () => 0, (s: number) => s, Math.ceil(Math.sqrt(cout))]
      : [cin * cout, (s: number) => s % cin, (s: number) => Math.floor(s / cin), cin];
  const columns = option(options?.columns, defaultColumns, "columns", "kernelGrid");
  const at = (s: number, y: number, x: number) => weight(y, x, input(s), output(s));
  const ranges = cellRanges(cells, kh * kw, (s, j) => at(s, Math.floor(j / kw), j % kw), scale);
  return drawGrid(cells, kh, kw, columns, zoom, (s, y, x, px) => mapColour(at(s, y, x), ranges[s]!, px));
}

interface Range { min: number; span: number }

/** The value range of each cell (its own, or one shared), over finite values. */
function cellRanges(cells: number, size: number, value: (cell: number, i: number) => number, scale: GridScale): Range[] {
  const ranges: Range[] = [];
  let [lo, hi] = [Infinity, -Infinity];
  for (let cell = 0; cell < cells; cell++) {
    let [min, max] = [Infinity, -Infinity];
    for (let i = 0; i < size; i++) {
      const v = value(cell, i);
      if (v < min) min = v;
      if (v > max) max = v; // NaN fails both comparisons; ±Infinity is excluded below
    }
    if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = finiteRange(cell, size, value);
    ranges.push({ min, span: max - min });
    [lo, hi] = [Math.min(lo, min), Math.max(hi, max)];
  }
  if (scale === "shared") return ranges.map(() => ({ min: lo, span: hi - lo }));
  return ranges;
}

/** Min and max over the finite values only; [0, 0] when there are none (span 0: the dark end). */
function finiteRange(cell: number, size: number, value: (cell: number, i: number) => number): [number, number] {
  let [min, max] = [Infinity, -Infinity];
  for (let i = 0; i < size; i++) {
    const v = value(cell, i);
    if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
  }
  return min <= max ? [min, max] : [0, 0];
}

/** Writes the viridis colour of `v` within `range` to px[0..2]. */
function mapColour(v: number, { min, span }: Range, px: Uint8ClampedArray): void {
  const t = span > 0 && Number.isFinite(v) ? (v - min) / span : 0;
  const i = 3 * Math.round(Math.min(1, Math.max(0, t)) * 255);
  px[0] = VIRIDIS[i]!;
  px[1] = VIRIDIS[i + 1]!;
  px[2] = VIRIDIS[i + 2]!;
}

/**
 * Lays `cells` cells of `h x w` values out `columns` to a row, each value a
 * `zoom x zoom` square painted by `paint` (RGB; alpha is set opaque), with
 * 1-pixel transparent gutters between cells.
 */
function drawGrid(
  cells: number, h: number, w: number, columns: number, zoom: number,
  paint: (cell: number, y: number, x: number, px: Uint8ClampedArray) => void,
): RgbaImage {
  columns = Math.min(columns, cells);
  const rows = Math.ceil(cells / columns);
  const [cellW, cellH] = [w * zoom, h * zoom];
  const width = columns * (cellW + 1) - 1;
  const height = rows * (cellH + 1) - 1;
  const data = new Uint8ClampedArray(width * height * 4);
  const px = new Uint8ClampedArray(4);
  for (let cell = 0; cell < cells; cell++) {
    const [left, top] = [(cell % columns) * (cellW + 1), Math.floor(cell / columns) * (cellH + 1)];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        paint(cell, y, x, px);
        px[3] = 255;
        for (let dy = 0; dy < zoom; dy++) {
          const row = ((top + y * zoom + dy) * width + left + x * zoom) * 4;
          for (let dx = 0; dx < zoom; dx++) data.set(px, row + dx * 4);
        }
      }
    }
  }
  return { width, height, data };
}

/** A positive (or, with `min` 0, non-negative) integer option, or its default. */
function option(value: unknown, fallback: number, name: string, where: string, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`${where}: ${name} must be a${min === 0 ? " non-negative" : " positive"} integer, got ${String(value)}`);
  }
  return value;
}

function readScale(value: unknown, fallback: GridScale, where: string): GridScale {
  if (value === undefined) return fallback;
  if (value !== "perCell" && value !== "shared") {
    throw new ConfigError(`${where}: scale must be "perCell" or "shared", got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}
