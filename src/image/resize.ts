// Bilinear resizing of an HWC float image, exactly as tf.image.resizeBilinear
// does by default in tfjs-core 4.22 (alignCorners false, halfPixelCenters
// false): output pixel r reads source row r * (inHeight / outHeight), blends
// the floor and ceil rows (clamped to the last one) by the fraction, and the
// same along columns; top and bottom rows are each blended across columns
// first, then the two blended rows are mixed, in float64, stored as float32.

/**
 * Resizes `src` ([height, width, channels] in row-major HWC order) to
 * [outHeight, outWidth, channels].
 * @internal
 */
export function resizeBilinear(
  src: Float32Array, height: number, width: number, channels: number, outHeight: number, outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  const rowScale = height / outHeight;
  const colScale = width / outWidth;
  let o = 0;
  for (let r = 0; r < outHeight; r++) {
    const fr = rowScale * r;
    const top = Math.max(0, Math.floor(fr));
    const bottom = Math.min(height - 1, Math.ceil(fr));
    const rowFrac = fr - top;
    for (let c = 0; c < outWidth; c++) {
      const fc = colScale * c;
      const left = Math.max(0, Math.floor(fc));
      const right = Math.min(width - 1, Math.ceil(fc));
      const colFrac = fc - left;
      const tl = (top * width + left) * channels;
      const tr = (top * width + right) * channels;
      const bl = (bottom * width + left) * channels;
      const br = (bottom * width + right) * channels;
      for (let k = 0; k < channels; k++) {
        const t = src[tl + k]! + (src[tr + k]! - src[tl + k]!) * colFrac;
        const b = src[bl + k]! + (src[br + k]! - src[bl + k]!) * colFrac;
        out[o++] = t + (b - t) * rowFrac;
      }
    }
  }
  return out;
}
