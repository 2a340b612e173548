// loadImage's decoding on Node (see src/image/load-image.ts): imported on
// first use by the Node entry, and it imports pngjs or jpeg-js only when a
// file of that format comes, so a user who never loads a JPEG never needs
// jpeg-js. Messages name the file (or "the bytes given") and the format, never
// pixel values.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { ConfigError, messageOf } from "../errors.js";
import type { RgbaImage } from "../image/grid.js";
import type { ImageFileSource } from "../image/load-image.js";

type Format = "PNG" | "JPEG";

/** The decoded pixels as each package hands them over. */
interface Decoded {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Each format's package and its decode call; jpeg-js' tolerant mode would let a truncated file through. */
const DECODERS: Record<Format, { pkg: string; decode(mod: ModuleLike, bytes: Uint8Array): Decoded }> = {
  PNG: {
    pkg: "pngjs",
    decode: (mod, bytes) => (mod.PNG as { sync: { read(b: Buffer): Decoded } }).sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  },
  JPEG: {
    pkg: "jpeg-js",
    decode: (mod, bytes) => (mod.decode as (b: Uint8Array, o: object) => Decoded)(bytes,
      { useTArray: true, formatAsRGBA: true, tolerantDecoding: false }),
  },
};

type ModuleLike = Record<string, unknown>;

/** The format by its signature: PNG's eight bytes, JPEG's SOI marker and the next marker's 0xFF. */
export function imageFormat(bytes: Uint8Array): Format | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return "PNG";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "JPEG";
  return null;
}

async function readBytes(source: ImageFileSource): Promise<{ bytes: Uint8Array; name: string }> {
  if (source instanceof Uint8Array) return { bytes: source, name: "the bytes given" };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: "the bytes given" };
  let path: string;
  if (source instanceof URL || (typeof source === "string" && source.startsWith("file:"))) {
    const url = new URL(source);
    if (url.protocol !== "file:") {
      throw new ConfigError(`loadImage: reads files and file: URLs, not ${url.protocol} URLs; fetch the bytes and pass them`);
    }
    path = fileURLToPath(url);
  } else if (typeof source === "string") {
    path = source;
  } else {
    throw new ConfigError("loadImage: expected a path, a file: URL, a Uint8Array or an ArrayBuffer, " +
      `got ${source === null ? "null" : typeof source}`);
  }
  try {
    return { bytes: await readFile(path), name: path };
  } catch (e) {
    throw new ConfigError(`loadImage: cannot read ${path}: ${messageOf(e)}`);
  }
}

/** The package, or a ConfigError saying how to install it when it is missing. */
async function importDecoder(format: Format): Promise<ModuleLike> {
  const { pkg } = DECODERS[format];
  let mod: ModuleLike;
  try {
    // Two literal specifiers rather than import(pkg): bundlers see both as external packages.
    mod = (format === "PNG" ? await import("pngjs") : await import("jpeg-js")) as unknown as ModuleLike;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new ConfigError(`loadImage: decoding ${format} needs the optional package '${pkg}': npm install ${pkg}`);
    }
    throw e;
  }
  // CommonJS packages: their exports are named on the namespace, or only on its default.
  return (format === "PNG" ? "PNG" : "decode") in mod ? mod : (mod.default as ModuleLike);
}

export async function decodeImage(source: ImageFileSource): Promise<RgbaImage> {
  const { bytes, name } = await readBytes(source);
  if (bytes.length === 0) throw new ConfigError(`loadImage: nothing to decode in ${name} (0 bytes)`);
  const format = imageFormat(bytes);
  if (format === null) {
    throw new ConfigError(`loadImage: cannot decode ${name}: neither a PNG nor a JPEG (the first bytes match neither signature)`);
  }
  const mod = await importDecoder(format);
  let image: Decoded;
  try {
    image = DECODERS[format].decode(mod, bytes);
  } catch (e) {
    throw new ConfigError(`loadImage: cannot decode ${name} as ${format} (truncated or corrupt?): ` +
      messageOf(e).slice(0, 120));
  }
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 4) {
    throw new ConfigError(`loadImage: ${name} decoded to ${data.length} bytes for ${width}x${height} pixels, not 4 per pixel`);
  }
  // A copy: the decoders' buffers may be views into larger pooled memory.
  return { width, height, data: new Uint8ClampedArray(data) };
}
