// loadImage: PNG and JPEG files in, the RGBA pixels fromPixels reads out.
// Decoding files is Node's job here (pngjs, jpeg-js: optional peer
// dependencies): the Node entry installs a loader of the decoding module
// (src/platform/node-image.ts), so neither it nor the decoders are in any
// other entry. A browser decodes images itself: an <img>, canvas or
// ImageBitmap goes straight to fromPixels. What the other entries carry is
// this stub; its message is short because it is in the browser's first load.

import { ConfigError } from "../errors.js";
import type { RgbaImage } from "./grid.js";

/**
 * What {@link loadImage} reads: a file path (relative to the working
 * directory), a `file:` URL (object or string), or the file's bytes.
 * @example
 * const sources: ImageFileSource[] = ["digit.png", new URL("file:///tmp/cat.jpg"), await readFile("x.png")];
 * @throws never (a type; {@link loadImage} checks it)
 */
export type ImageFileSource = string | URL | Uint8Array | ArrayBuffer;

/** The decoding module the Node entry installs (src/platform/node-image.ts). */
export interface ImageDecoder {
  decodeImage(source: ImageFileSource): Promise<RgbaImage>;
}

let decoderLoader: (() => Promise<ImageDecoder>) | null = null;

/** Set by the Node entry, as a loader of the decoding module; other entries leave it null. */
export function setImageDecoder(load: (() => Promise<ImageDecoder>) | null): void {
  decoderLoader = load;
}

/**
 * Node only: reads a PNG or JPEG file and decodes it to RGBA pixels, the
 * `{ data, width, height }` that {@link fromPixels} takes. The format is told
 * by the file's first bytes, not its name. Needs the optional packages
 * `pngjs` (PNG) and `jpeg-js` (JPEG), each only for its format:
 * `npm install pngjs jpeg-js`. Grey, palette and 16-bit PNGs come out as
 * 8-bit RGBA; a JPEG's alpha is 255.
 *
 * In a browser, worker or edge runtime the promise rejects with a
 * ConfigError ("loadImage is Node-only; use fromPixels"): there, pass an
 * `<img>`, canvas, `ImageBitmap` or `ImageData` to {@link fromPixels}.
 * @param source a path, a `file:` URL, or the file's bytes
 * @example
 * await init();
 * const x = fromPixels(await loadImage("digit.png"), { channels: 1, resize: [28, 28] }); // [1, 28, 28, 1]
 * @throws {ConfigError} (the promise rejects) outside Node; when the file cannot be read, is not a
 *   PNG or JPEG, or is truncated or corrupt; when the package that decodes its format is not installed.
 */
export async function loadImage(source: ImageFileSource): Promise<RgbaImage> {
  if (decoderLoader === null) throw new ConfigError("loadImage is Node-only; use fromPixels");
  return (await decoderLoader()).decodeImage(source);
}
