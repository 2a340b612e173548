// fromPixels: images in, an NHWC float32 tensor out. Pixels are decoded to
// floats in 0..255 (greyscale mixed at this point), resized, then normalized,
// in that order. Error messages name sizes and lengths, never pixel values.

import { ConfigError, ShapeError } from "../errors.js";
import { checkConfigKeys } from "../layers/config-keys.js";
import { tensor, type Tensor } from "../tensor.js";
import { isDrawable, readDrawable } from "./drawable.js";
import { resizeBilinear } from "./resize.js";

/**
 * Pixels in memory: `data` holds `width * height` pixels, row by row, of 4
 * bytes (RGBA; alpha is dropped), 3 (packed RGB) or 1 (grey) each; the count
 * per pixel is inferred from `data.length / (width * height)`. An `ImageData`
 * is one of these.
 * @example
 * const grey: PixelData = { data: new Uint8Array(28 * 28), width: 28, height: 28 };
 * fromPixels(grey, { channels: 1 }); // [1, 28, 28, 1]
 * @throws never (a type; {@link fromPixels} checks it)
 */
export interface PixelData {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/**
 * What {@link fromPixels} reads: pixels in memory ({@link PixelData},
 * `ImageData`), or in a browser an `HTMLCanvasElement`, `OffscreenCanvas`,
 * `ImageBitmap` or loaded `HTMLImageElement` (drawn onto a 2-D canvas and read back).
 * @example
 * const sources: PixelSource[] = [canvas, await createImageBitmap(blob), ctx.getImageData(0, 0, 32, 32)];
 * @throws never (a type; {@link fromPixels} checks it)
 */
export type PixelSource = PixelData | ImageData | HTMLCanvasElement | OffscreenCanvas | ImageBitmap | HTMLImageElement;

/**
 * How {@link fromPixels} maps 0..255 pixel values `x` to floats:
 * - `"0..1"` (default): `x / 255`;
 * - `"-1..1"`: `x / 127.5 - 1` (Keras `preprocess_input` mode "tf": MobileNet, Inception);
 * - `{ mean, std }`: `(x / 255 - mean) / std` per channel (Keras mode "torch",
 *   torchvision's `Normalize`); mean and std are in 0..1 units, each a number or one
 *   value per channel, e.g. ImageNet's `{ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }`.
 * @example
 * fromPixels(img, { normalize: "-1..1" }); // 0 -> -1, 255 -> 1
 * fromPixels(img, { normalize: { mean: 0.5, std: 0.25 } }); // 0 -> -2, 255 -> 2
 * @throws never (a type; {@link fromPixels} throws ConfigError for a bad value)
 */
export type PixelNormalization = "0..1" | "-1..1" | { mean: number | readonly number[]; std: number | readonly number[] };

/**
 * Options of {@link fromPixels}.
 * @example
 * fromPixels(img, { channels: 1, resize: [28, 28], normalize: "0..1" });
 * @throws never (a type; {@link fromPixels} throws ConfigError for an unknown key or bad value)
 */
export interface FromPixelsOptions {
  /**
   * Channels of the tensor: 3 (default, RGB) or 1 (grey). Grey is
   * `0.2989 R + 0.587 G + 0.114 B`, tf.image.rgbToGrayscale's weights; a grey source stays as it is.
   */
  channels?: 1 | 3;
  /** `[height, width]` to resize every image to, bilinearly (tf.image.resizeBilinear's defaults). */
  resize?: readonly [number, number];
  /** How 0..255 values become floats; default `"0..1"`. */
  normalize?: PixelNormalization;
}

const FROM_PIXELS_KEYS = ["channels", "resize", "normalize"] as const satisfies readonly (keyof FromPixelsOptions)[];

/** tf.image.rgbToGrayscale's weights (tfjs-core 4.22), not the rounded 0.299 of ITU-R BT.601. */
const GREY = [0.2989, 0.587, 0.114] as const;

/**
 * Makes an NHWC float32 tensor `[n, height, width, channels]` from one image
 * (n = 1) or several (a batch; every image must end up the same size, so
 * give `resize` for images of different sizes).
 * @param source an image, or an array of images for a batch
 * @param options `channels` (3 or 1), `resize` ([height, width]), `normalize` ("0..1", "-1..1", { mean, std })
 * @example
 * await init();
 * const x = fromPixels(ctx.getImageData(0, 0, 28, 28), { channels: 1 }); // [1, 28, 28, 1] in 0..1
 * const y = fromPixels([img1, img2], { resize: [224, 224], normalize: "-1..1" }); // [2, 224, 224, 3]
 * const z = fromPixels({ data: rgbBytes, width: 32, height: 32 }, {
 *   normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
 * });
 * @throws {ShapeError} when a width or height is not a positive integer, `data.length` is not
 *   1, 3 or 4 bytes per pixel, images of a batch differ in size, or the batch is empty.
 * @throws {ConfigError} for an unknown or invalid option, a source that is not an image (or one
 *   this runtime cannot draw), or data that is not a Uint8ClampedArray / Uint8Array.
 * @throws {BackendError} before `init()`.
 */
export function fromPixels(source: PixelSource | readonly PixelSource[], options?: FromPixelsOptions): Tensor {
  checkConfigKeys(options, FROM_PIXELS_KEYS, "fromPixels");
  const channels = options?.channels ?? 3;
  if (channels !== 1 && channels !== 3) {
    throw new ConfigError(`fromPixels: channels must be 1 or 3, got ${String(channels)}`);
  }
  const resize = readResize(options?.resize);
  const norm = readNormalization(options?.normalize, channels);
  const sources: readonly PixelSource[] = Array.isArray(source) ? source : [source as PixelSource];
  if (sources.length === 0) throw new ShapeError("fromPixels: got an empty array of images");
  const many = sources.length > 1;
  let size: [number, number] | null = null;
  const out: Float32Array[] = [];
  sources.forEach((s, i) => {
    const where = many ? `fromPixels: image ${i}` : "fromPixels";
    const px = readSource(s, where);
    let values = decode(px, channels, where);
    let [h, w] = [px.height, px.width];
    if (resize !== null && (resize[0] !== h || resize[1] !== w)) {
      values = resizeBilinear(values, h, w, channels, resize[0], resize[1]);
      [h, w] = resize;
    }
    if (size === null) size = [h, w];
    else if (size[0] !== h || size[1] !== w) {
      throw new ShapeError(`${where} is ${h}x${w} (height x width), but image 0 is ${size[0]}x${size[1]}; ` +
        `a batch needs one size: pass resize: [height, width]`);
    }
    normalizeInPlace(values, channels, norm);
    out.push(values);
  });
  const [h, w] = size!;
  const data = new Float32Array(sources.length * h * w * channels);
  out.forEach((v, i) => data.set(v, i * v.length));
  return tensor(data, [sources.length, h, w, channels]);
}

function readResize(resize: unknown): [number, number] | null {
  if (resize === undefined) return null;
  if (!Array.isArray(resize) || resize.length !== 2 ||
      !resize.every((d) => typeof d === "number" && Number.isInteger(d) && d > 0)) {
    throw new ConfigError(`fromPixels: resize must be [height, width] of positive integers, got ${describe(resize)}`);
  }
  return [resize[0], resize[1]];
}

/** Per channel: value = x * scale[k] + offset[k], for x in 0..255. */
interface Affine { scale: number[]; offset: number[] }

function readNormalization(n: unknown, channels: number): Affine {
  const same = (scale: number, offset: number): Affine =>
    ({ scale: new Array<number>(channels).fill(scale), offset: new Array<number>(channels).fill(offset) });
  if (n === undefined || n === "0..1") return same(1 / 255, 0);
  if (n === "-1..1") return same(1 / 127.5, -1);
  if (typeof n === "object" && n !== null && !Array.isArray(n)) {
    checkConfigKeys(n, ["mean", "std"], "fromPixels normalize");
    const o = n as { mean?: unknown; std?: unknown };
    const mean = perChannel(o.mean, "mean", channels);
    const std = perChannel(o.std, "std", channels);
    if (std.some((s) => s === 0)) throw new ConfigError("fromPixels: normalize std must not be 0");
    // (x / 255 - mean) / std = x * (1 / (255 std)) - mean / std
    return { scale: std.map((s) => 1 / (255 * s)), offset: mean.map((m, k) => -m / std[k]!) };
  }
  throw new ConfigError(`fromPixels: normalize must be "0..1", "-1..1" or { mean, std }, got ${describe(n)}`);
}

function perChannel(v: unknown, name: string, channels: number): number[] {
  const values = typeof v === "number" ? new Array<number>(channels).fill(v) : v;
  if (!Array.isArray(values) || values.length !== channels || !values.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new ConfigError(`fromPixels: normalize ${name} must be a finite number or ${channels} of them ` +
      `(one per channel), got ${describe(v)}`);
  }
  return values as number[];
}

function normalizeInPlace(values: Float32Array, channels: number, { scale, offset }: Affine): void {
  for (let i = 0; i < values.length; i += channels) {
    for (let k = 0; k < channels; k++) values[i + k] = values[i + k]! * scale[k]! + offset[k]!;
  }
}

/** The pixels of one source, with its size checked (messages never show the data). */
function readSource(s: unknown, where: string): PixelData {
  if (typeof s !== "object" || s === null) throw new ConfigError(`${where}: expected an image, got ${describe(s)}`);
  let px: PixelData | null;
  if ("data" in s) px = s as PixelData;
  else if (isDrawable(s)) {
    px = readDrawable(s);
    if (px === null) {
      throw new ConfigError(`${where}: this runtime has no 2-D canvas (OffscreenCanvas or document) to read ` +
        `the image with; pass { data, width, height } instead`);
    }
  } else {
    throw new ConfigError(`${where}: expected ImageData, { data, width, height }, a canvas, an ImageBitmap ` +
      `or an image element, got an object with keys ${Object.keys(s).slice(0, 8).join(", ") || "(none)"}`);
  }
  const { data, width, height } = px;
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) {
    throw new ConfigError(`${where}: data must be a Uint8ClampedArray or Uint8Array of 0..255 bytes, ` +
      `got ${describe(data)}`);
  }
  for (const [name, d] of [["width", width], ["height", height]] as const) {
    if (typeof d !== "number" || !Number.isInteger(d) || d <= 0) {
      throw new ShapeError(`${where}: ${name} must be a positive integer, got ${describe(d)}`);
    }
  }
  const perPixel = data.length / (width * height);
  if (perPixel !== 1 && perPixel !== 3 && perPixel !== 4) {
    throw new ShapeError(`${where}: a ${width}x${height} image needs ${width * height} (grey), ${3 * width * height} ` +
      `(RGB) or ${4 * width * height} (RGBA) bytes, but data has ${data.length}`);
  }
  return px;
}

/** Floats in 0..255, HWC with `channels` channels. */
function decode({ data, width, height }: PixelData, channels: number, where: string): Float32Array {
  const n = width * height;
  const perPixel = data.length / n;
  const out = new Float32Array(n * channels);
  if (perPixel === 1) {
    if (channels === 3) {
      throw new ShapeError(`${where}: the image is grey (1 byte per pixel) but channels is 3; pass channels: 1`);
    }
    for (let i = 0; i < n; i++) out[i] = data[i]!;
    return out;
  }
  for (let i = 0, p = 0; i < n; i++, p += perPixel) {
    const [r, g, b] = [data[p]!, data[p + 1]!, data[p + 2]!];
    if (channels === 1) out[i] = GREY[0] * r + GREY[1] * g + GREY[2] * b;
    else { out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b; }
  }
  return out;
}

/** A value as a message shows it: its kind and size, never its contents. */
function describe(v: unknown): string {
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v.length <= 20 ? JSON.stringify(v) : `a string of length ${v.length}`;
  if (Array.isArray(v)) {
    return v.length <= 4 && v.every((x) => typeof x === "number") ? `[${v.join(", ")}]` : `an array of length ${v.length}`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  return `a ${typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v}`;
}
