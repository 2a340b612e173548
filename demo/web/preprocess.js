// A drawing made into an MNIST digit, the way MNIST's digits were made
// (LeCun et al.: "size normalized to fit in a 20x20 pixel box while
// preserving their aspect ratio ... centered in a 28x28 image by computing
// the center of mass of the pixels"): crop to the ink's bounding box, scale
// so the longer side is 20 pixels, averaging the area each output pixel
// covers (the anti-aliasing that gave MNIST its grey levels; a bilinear
// resize would skip most of a thin stroke at a tenfold reduction), then shift
// the centre of mass to the centre of the 28x28 field. Ink is white on black,
// as in MNIST. Plain functions over pixel arrays: no DOM, so Node tests them.

export const DIGIT_SIZE = 28;
export const BOX_SIZE = 20;

/**
 * The smallest rectangle holding every pixel brighter than 0, or null for a
 * blank image. `ink(i)` is the brightness of pixel i (row by row).
 */
export function inkBounds(width, height, ink) {
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink(y * width + x) <= 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Resamples `src` (w x h floats) to `tw x th` by area averaging: each output
 * pixel is the mean of the input area it covers, partial pixels weighted by
 * their covered fraction. One axis at a time, as the box filter separates.
 */
export function areaResize(src, w, h, tw, th) {
  const [across, down] = [coverage(w, tw), coverage(h, th)];
  const rows = new Float32Array(tw * h);
  for (let y = 0; y < h; y++) {
    across.forEach((taps, k) => { rows[y * tw + k] = taps.reduce((s, [i, f]) => s + f * src[y * w + i], 0); });
  }
  const out = new Float32Array(tw * th);
  for (let x = 0; x < tw; x++) {
    down.forEach((taps, k) => { out[k * tw + x] = taps.reduce((s, [i, f]) => s + f * rows[i * tw + x], 0); });
  }
  return out;
}

/** For each of `m` output samples over `n` inputs: the [input, weight] pairs of its mean (weights sum to 1). */
function coverage(n, m) {
  const span = n / m;
  return Array.from({ length: m }, (_, k) => {
    const [from, to] = [k * span, (k + 1) * span];
    const taps = [];
    for (let i = Math.floor(from); i < Math.min(n, Math.ceil(to)); i++) {
      taps.push([i, (Math.min(to, i + 1) - Math.max(from, i)) / span]);
    }
    return taps;
  });
}

/**
 * An image's ink as a 28x28 MNIST digit: grey bytes 0..255, row by row, or
 * null when nothing is drawn. `ink(i)` is pixel i's brightness in 0..255
 * (white ink on black).
 */
export function mnistDigit(width, height, ink) {
  const box = inkBounds(width, height, ink);
  if (box === null) return null;
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) crop[y * box.width + x] = ink((box.top + y) * width + box.left + x);
  }
  const scale = BOX_SIZE / Math.max(box.width, box.height);
  const tw = Math.max(1, Math.round(box.width * scale));
  const th = Math.max(1, Math.round(box.height * scale));
  const small = areaResize(crop, box.width, box.height, tw, th);

  // Centre of mass, pixel centres at +0.5, to the field's centre (14, 14), in whole pixels.
  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const dx = Math.round(DIGIT_SIZE / 2 - mx / mass);
  const dy = Math.round(DIGIT_SIZE / 2 - my / mass);
  const digit = new Uint8ClampedArray(DIGIT_SIZE * DIGIT_SIZE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const [tx, ty] = [x + dx, y + dy];
      if (tx >= 0 && tx < DIGIT_SIZE && ty >= 0 && ty < DIGIT_SIZE) digit[ty * DIGIT_SIZE + tx] = small[y * tw + x];
    }
  }
  return digit;
}
