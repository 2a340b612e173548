// loadImage on Node: the committed fixtures (tests/image/fixtures/,
// written by make-fixtures.mjs) decode to known RGBA, the format is told by
// the first bytes whatever the name, broken and missing files and missing
// decoder packages are clear ConfigErrors that print no pixel data, and
// other entries (the browser's) reject, carrying no decoder.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, fromPixels, init, loadImage } from "simdcnn";
import { chunkGraph } from "../support/chunks.js";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(import.meta.dirname, "fixtures");
const fixture = (name: string) => join(FIXTURES, name);

/** The pixels make-fixtures.mjs wrote into rgba-3x2.png: alpha 255, 128, 0 and 4 must come back as they are. */
const RGBA_3X2 = [
  255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0,
  10, 20, 30, 255, 200, 150, 100, 255, 1, 2, 3, 4,
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "simdcnn-load-image-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rejection of `p`, which must be a ConfigError whose message prints no run of pixel values. */
async function configError(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ConfigError);
  const message = (e as Error).message;
  expect(message).not.toMatch(/(\d+,\s*){4}/);
  expect(message.length).toBeLessThan(400);
  return message;
}

describe("loadImage: decoding", () => {
  it("gives a PNG's RGBA back exactly, alpha included, from a path", async () => {
    const image = await loadImage(fixture("rgba-3x2.png"));
    expect([image.width, image.height]).toEqual([3, 2]);
    expect(image.data).toBeInstanceOf(Uint8ClampedArray);
    expect(Array.from(image.data)).toEqual(RGBA_3X2);
  });

  it("expands a greyscale PNG to RGBA, from a file: URL", async () => {
    const image = await loadImage(pathToFileURL(fixture("grey-2x2.png")));
    expect(Array.from(image.data)).toEqual([0, 85, 170, 255].flatMap((v) => [v, v, v, 255]));
  });

  it("decodes a JPEG of two flat blocks to their colours (within 3 levels: JPEG is lossy), alpha 255", async () => {
    const image = await loadImage(pathToFileURL(fixture("flat-16x8.jpg")).href);
    expect([image.width, image.height]).toEqual([16, 8]);
    for (let i = 0; i < 16 * 8; i++) {
      const want = i % 16 < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255];
      const got = Array.from(image.data.slice(i * 4, i * 4 + 4));
      got.forEach((v, k) => expect(Math.abs(v - want[k]!), `pixel ${i}, channel ${k}`).toBeLessThanOrEqual(3));
    }
  });

  it("takes the bytes as a Uint8Array or an ArrayBuffer", async () => {
    const bytes = readFileSync(fixture("rgba-3x2.png"));
    expect(Array.from((await loadImage(new Uint8Array(bytes))).data)).toEqual(RGBA_3X2);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(Array.from((await loadImage(buffer)).data)).toEqual(RGBA_3X2);
  });

  it("feeds fromPixels: an MNIST digit becomes a [1, 28, 28, 1] tensor in 0..1", async () => {
    await init({ backend: "js" });
    const x = fromPixels(await loadImage(fixture("digit-3.png")), { channels: 1, resize: [28, 28] });
    expect(x.shape).toEqual([1, 28, 28, 1]);
    const values = x.toArray();
    expect(Math.max(...values)).toBeGreaterThan(0.9);
    expect(Math.min(...values)).toBe(0);
    x.dispose();
  });

  it("is the same function in the CommonJS build", async () => {
    const cjs = createRequire(import.meta.url)("simdcnn") as { loadImage: typeof loadImage };
    expect(cjs.loadImage).not.toBe(loadImage);
    expect(Array.from((await cjs.loadImage(fixture("rgba-3x2.png"))).data)).toEqual(RGBA_3X2);
  });
});

describe("loadImage: the format is told by the first bytes", () => {
  it("decodes a PNG named .jpg as PNG and a JPEG named .png as JPEG", async () => {
    const png = join(dir, "really-a-png.jpg");
    const jpg = join(dir, "really-a-jpeg.png");
    writeFileSync(png, readFileSync(fixture("rgba-3x2.png")));
    writeFileSync(jpg, readFileSync(fixture("flat-16x8.jpg")));
    expect(Array.from((await loadImage(png)).data)).toEqual(RGBA_3X2);
    expect((await loadImage(jpg)).width).toBe(16);
  });

  it("refuses a GIF, and text, naming the file and both formats", async () => {
    const gif = join(dir, "anim.png");
    writeFileSync(gif, Buffer.from("GIF89a\x01\x00\x01\x00\x00\x00\x00;", "latin1"));
    expect(await configError(loadImage(gif))).toBe(
      `loadImage: cannot decode ${gif}: neither a PNG nor a JPEG (the first bytes match neither signature)`);
    expect(await configError(loadImage(new TextEncoder().encode("not an image")))).toMatch(/the bytes given: neither a PNG/);
    expect(await configError(loadImage(new Uint8Array(0)))).toMatch(/nothing to decode in the bytes given \(0 bytes\)/);
  });
});

describe("loadImage: broken and missing files", () => {
  it("a truncated PNG or JPEG is a ConfigError naming the file and the format", async () => {
    const png = readFileSync(fixture("digit-3.png"));
    const cut = join(dir, "cut.png");
    writeFileSync(cut, png.subarray(0, png.length - 20));
    expect(await configError(loadImage(cut))).toMatch(new RegExp(`^loadImage: cannot decode ${cut} as PNG \\(truncated or corrupt\\?\\)`));
    const jpg = readFileSync(fixture("flat-16x8.jpg"));
    expect(await configError(loadImage(jpg.subarray(0, jpg.length >> 1))))
      .toMatch(/^loadImage: cannot decode the bytes given as JPEG \(truncated or corrupt\?\)/);
  });

  it("a missing file, an http: URL and a wrong type are ConfigErrors", async () => {
    const missing = join(dir, "nope.png");
    expect(await configError(loadImage(missing))).toMatch(new RegExp(`^loadImage: cannot read ${missing}: ENOENT`));
    expect(await configError(loadImage(new URL("https://example.com/a.png")))).toMatch(/not https: URLs/);
    expect(await configError(loadImage(42 as unknown as string))).toMatch(/expected a path, a file: URL, .* got number/);
  });
});

describe("loadImage: where the decoders are not", () => {
  it("without pngjs / jpeg-js installed, says which package to install and how", async () => {
    // dist/ alone, outside the repository: no node_modules above it to find either package in.
    const alone = join(dir, "alone");
    cpSync(join(ROOT, "dist"), join(alone, "dist"), { recursive: true, filter: (src) => !src.includes("types") });
    writeFileSync(join(alone, "package.json"), JSON.stringify({ type: "module" }));
    const script = `
      const { loadImage } = await import(${JSON.stringify(pathToFileURL(join(alone, "dist", "index.js")).href)});
      for (const f of ${JSON.stringify([fixture("rgba-3x2.png"), fixture("flat-16x8.jpg")])}) {
        try { await loadImage(f); console.log("decoded"); } catch (e) { console.log(e.name + ": " + e.message); }
      }`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: alone });
    expect(stdout.trim().split("\n")).toEqual([
      "ConfigError: loadImage: decoding PNG needs the optional package 'pngjs': npm install pngjs",
      "ConfigError: loadImage: decoding JPEG needs the optional package 'jpeg-js': npm install jpeg-js",
    ]);
  });

  it("the browser entry rejects with a ConfigError pointing to fromPixels, and loads no decoder", async () => {
    const browser = (await import(pathToFileURL(join(ROOT, "dist", "browser.js")).href)) as typeof import("simdcnn");
    const e = await browser.loadImage(fixture("rgba-3x2.png")).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(browser.ConfigError);
    expect((e as Error).message).toBe("loadImage is Node-only; use fromPixels");
    const { firstLoad, lazy } = chunkGraph(ROOT, "dist/browser.js");
    for (const file of [...firstLoad, ...lazy]) {
      expect(readFileSync(join(ROOT, file), "utf8"), file).not.toMatch(/pngjs|jpeg-js|node-image/);
    }
  });
});
