// `npm run visualize` as a user runs it, on a held-out MNIST digit
// (tests/image/fixtures/digit-3.png): it names the right class, and the two
// pictures it writes decode, have the layout's sizes and show something.
// The same digit as dark ink on a light, larger image is inverted and read
// the same way.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pngjs from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const { PNG } = pngjs;
const ROOT = join(import.meta.dirname, "..", "..");
const DIGIT = join(import.meta.dirname, "fixtures", "digit-3.png");
const run = promisify(execFile);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "simdcnn-visualize-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function visualize(...args: string[]): Promise<string> {
  const { stdout } = await run("npm", ["run", "--silent", "visualize", "--", ...args], { cwd: ROOT, timeout: 30_000 });
  return stdout;
}

const BACKGROUND = [16, 16, 24];

/** Decoded PNG, its distinct colours and the share of its pixels that are not background. */
function picture(path: string) {
  const png = PNG.sync.read(readFileSync(path));
  const colours = new Set<number>();
  let drawn = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [r, g, b] = [png.data[i * 4]!, png.data[i * 4 + 1]!, png.data[i * 4 + 2]!];
    colours.add((r << 16) | (g << 8) | b);
    if (r !== BACKGROUND[0] || g !== BACKGROUND[1] || b !== BACKGROUND[2]) drawn++;
  }
  return { png, colours: colours.size, drawn: drawn / (png.width * png.height) };
}

describe("npm run visualize", () => {
  it("prints the right class and writes feature-maps.png and kernels.png of the layout's sizes, not blank", async () => {
    const out = join(dir, "light");
    const stdout = await visualize(DIGIT, "--out", out);
    expect(stdout).toMatch(/digit-3\.png: predicted class 3 with probability (9\d|100)\.\d%\n/);
    expect(stdout).not.toContain("inverted");
    expect(stdout).toMatch(/^top 3: 3 \d+\.\d%, \d \d+\.\d%, \d \d+\.\d%$/m);

    const maps = picture(join(out, "feature-maps.png"));
    const kernels = picture(join(out, "kernels.png"));
    // The sizes the script reports are the files' own.
    expect(stdout).toContain(`feature-maps.png (${maps.png.width}x${maps.png.height})`);
    expect(stdout).toContain(`kernels.png (${kernels.png.width}x${kernels.png.height})`);
    // LeNet's bands, each map ~56 px a side: the 112 px input, conv2d_1 and pool 1 (3x2 cells),
    // conv2d_2 and pool 2 (4x4 cells), four text lines; kernels: 6 filters, then 16 rows of 6.
    // The widest band sets the width, plus 8 px margins: conv2d_2's 4 cells of 10 x 6 px and 3
    // gutters; conv2d_2's kernels, 6 cells of 5 x 8 px and 5 gutters.
    expect(maps.png.width).toBe(8 + 4 * 60 + 3 + 8);
    expect(kernels.png.width).toBe(8 + 6 * 40 + 5 + 8);
    expect(maps.png.height).toBeGreaterThanOrEqual(112 + 2 * 2 * 56 + 2 * 4 * 50);
    expect(kernels.png.height).toBeGreaterThanOrEqual(16 * 5 * 8);
    for (const p of [maps, kernels]) {
      expect(p.colours).toBeGreaterThan(100);
      expect(p.drawn).toBeGreaterThan(0.3);
    }
    // The input band (below the first label: 8 px margin, 16 px of label): the digit's white strokes on black.
    const input = (x: number, y: number) => maps.png.data[((8 + 16 + y) * maps.png.width + 8 + x) * 4]!;
    let white = 0;
    for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) if (input(x, y) > 200) white++;
    expect(white / 112 ** 2).toBeGreaterThan(0.05);
    expect(white / 112 ** 2).toBeLessThan(0.5);
  });

  it("inverts a dark-on-light image and still reads a 3", async () => {
    const digit = PNG.sync.read(readFileSync(DIGIT));
    // 56x56, dark grey ink on off-white paper, as a scan would be.
    const big = new PNG({ width: 56, height: 56 });
    for (let y = 0; y < 56; y++) {
      for (let x = 0; x < 56; x++) {
        const v = digit.data[((y >> 1) * 28 + (x >> 1)) * 4]!;
        big.data.set([240 - v * 0.8, 235 - v * 0.8, 230 - v * 0.8, 255], (y * 56 + x) * 4);
      }
    }
    const ink = join(dir, "ink.png");
    writeFileSync(ink, PNG.sync.write(big));
    const stdout = await visualize(ink, "--out", join(dir, "dark"), "--model", join(ROOT, "models", "lenet"));
    expect(stdout).toMatch(/ink\.png: predicted class 3 with probability \d+\.\d% \(inverted: dark on light\)/);
  });

  it("without an image, exits with the usage", async () => {
    const e = await visualize().then(() => null, (err: unknown) => err as { code: number; stderr: string });
    expect(e?.code).not.toBe(0);
    expect(e?.stderr).toContain("usage: npm run visualize -- <image.png|jpg> [--model path/to/model.json] [--out dir]");
  });
});
