// f32-conv2d-bwd-filter: the gradient of a Conv2D w.r.t. its raw Keras kernel
// and bias (NHWC):
//   dw[ky, kx, ci, co] = sum_{n, oh, ow} x[n, oh*sh + ky - padTop, ow*sw + kx - padLeft, ci] * dy[n, oh, ow, co]
//   dbias[co]          = sum_{n, oh, ow} dy[n, oh, ow, co]
// where taps that land in the zero padding contribute nothing.
//
// Each kernel row ky is a [kw*cin, cout] slice whose rows r = kx*cin + ci
// sit at consecutive floats of one input row, so blocks of 4 rows go through
// the 4x8 register tile of f32_outer_tile (shared with the Dense kernel
// gradient) over the output pixels where all 4 taps are inside the image;
// the few pixels where only some of them are (the padding border) are added
// one row at a time afterwards. No bounds test inside the hot loop, no
// padded copy of x. For cin == 1 this makes 4 taps share a tile, which the
// previous tap-at-a-time walk could not (one fma chain per accumulator).
//
// Contract
// - x: [batch, inH, inW, cin]; dy: [batch, outH, outW, cout];
//   dw: [kh, kw, cin, cout] written with `=` (every element, 0 for a tap no
//   output pixel reaches); dbias: [cout] written with `=`, or 0 for none.
// - No overlap of outputs with inputs. No alignment requirement; no over-read.

import { F32_BYTES } from "../common/tile";
import { f32_outer_tile, TILE_COLS, TILE_ROWS } from "../gemm/f32_gemm_bwd_filter";
import { f32_bias_bwd } from "../gemm/f32_bias_bwd";

/** First output index o >= 0 with o*stride + tap - pad >= 0. */
export function firstValid(tap: i32, pad: i32, stride: i32): i32 {
  const need = pad - tap; // o*stride >= need
  return need <= 0 ? 0 : (need + stride - 1) / stride;
}

/** One past the last output index o < out with o*stride + tap - pad < extent. (Not inlined: called per tile, not per pixel.) */
export function endValid(tap: i32, pad: i32, stride: i32, extent: i32, out: i32): i32 {
  const limit = extent - 1 + pad - tap; // o*stride <= limit
  if (limit < 0) return 0;
  return min(out, limit / stride + 1);
}

/**
 * The threaded build may ask for the dw rows of tiles [u0, u1) alone, tiles
 * numbered ky-major (ky, then 4-row blocks of kw*cin): each dw element gets
 * the same sums in the same order (pixel blocks, then border columns) as in
 * the whole call, so it splits the gradient over tiles with no reduction.
 * The other builds always compute every tile.
 */
export function f32_conv2d_bwd_filter(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, dy: usize, dw: usize, dbias: usize, cout: i32, u0: i32, u1: i32,
): void {
  const xPix = <usize>cin * F32_BYTES;
  const dyPix = <usize>cout * F32_BYTES;
  const xsb = <usize>inH * <usize>inW * xPix;
  const xsh = <usize>sh * <usize>inW * xPix;
  const xsw = <usize>sw * xPix;
  const dsb = <usize>outH * <usize>outW * dyPix;
  const dsh = <usize>outW * dyPix;
  const rowLen = kw * cin; // dw rows per kernel row ky
  // Pixel blocks: whole images, or bands of output rows of one image, whose x and dy fit PIXEL_BLOCK.
  const perImage = xsb + dsb;
  const images = perImage <= PIXEL_BLOCK ? max(1, <i32>(PIXEL_BLOCK / perImage)) : 1;
  const band = perImage <= PIXEL_BLOCK ? outH : max(1, <i32>(PIXEL_BLOCK / (xsh + dsh)));
  for (let b0 = 0; b0 < batch; b0 += images) {
    const nb = min(images, batch - b0);
    for (let h0 = 0; h0 < outH; h0 += band) {
      const h1 = min(outH, h0 + band);
      // The first block writes every dw element (zeros where it has no pixel); the others add theirs.
      const first = b0 == 0 && h0 == 0;
      // After the last block's interior: the border columns, over the whole batch.
      const last = b0 + nb == batch && h1 == outH;
      for (let ky = 0; ky < kh; ky++) {
        // Output rows whose kernel row ky is inside the image: all of them, and the band's.
        const all0 = firstValid(ky, padTop, sh);
        const all1 = max(all0, endValid(ky, padTop, sh, inH, outH));
        const oh0 = max(h0, all0);
        const oh1 = max(oh0, min(h1, all1));
        if (!first && !last && oh1 == oh0) continue;
        // ow*sw - padLeft may be negative; r*4 brings every address read back inside x.
        const xKy = x + <usize>(ky - padTop) * <usize>inW * xPix - <usize>padLeft * xPix;
        const dwKy = dw + <usize>ky * <usize>rowLen * dyPix;
        for (let r = 0; r < rowLen; r += TILE_ROWS) {
          if (ASC_FEATURE_THREADS) {
            const u = ky * ((rowLen + TILE_ROWS - 1) / TILE_ROWS) + r / TILE_ROWS;
            if (u < u0 || u >= u1) continue;
          }
          const rows = min(TILE_ROWS, rowLen - r);
          // Output columns where every tap of the block is inside the image.
          let c0 = 0, c1 = outW;
          for (let t = 0; t < rows; t++) {
            const kx = (r + t) / cin;
            c0 = max(c0, firstValid(kx, padLeft, sw));
            c1 = min(c1, endValid(kx, padLeft, sw, inW, outW));
          }
          c1 = max(c0, c1);
          const xr = xKy + <usize>r * F32_BYTES;
          const out = dwKy + <usize>r * dyPix;
          if (first || oh1 > oh0) {
            const o1 = <usize>min(1, rows - 1) * F32_BYTES;
            const o2 = <usize>min(2, rows - 1) * F32_BYTES;
            const o3 = <usize>min(3, rows - 1) * F32_BYTES;
            const xb = xr + <usize>b0 * xsb + <usize>oh0 * xsh + <usize>c0 * xsw;
            const db = dy + <usize>b0 * dsb + <usize>oh0 * dsh + <usize>c0 * dyPix;
            for (let j = 0; j < cout; j += TILE_COLS) {
              const off = <usize>j * F32_BYTES;
              f32_outer_tile(xb, db + off, out + off, dyPix, rows, min(TILE_COLS, cout - j), o1, o2, o3,
                nb, oh1 - oh0, c1 - c0, xsb, xsh, xsw, dsb, dsh, dyPix, !first);
            }
          }
          if (!last) continue;
          // Border columns where only some taps of the block are inside: row by row.
          const xa = xr + <usize>all0 * xsh, da = dy + <usize>all0 * dsh;
          for (let t = 0; t < rows; t++) {
            const kx = (r + t) / cin;
            const v0 = firstValid(kx, padLeft, sw);
            const v1 = endValid(kx, padLeft, sw, inW, outW);
            addColumns(xa + <usize>t * F32_BYTES, da, out + <usize>t * dyPix, cout, v0, min(v1, c0),
              batch, all1 - all0, xsb, xsh, xsw, dsb, dsh, dyPix);
            addColumns(xa + <usize>t * F32_BYTES, da, out + <usize>t * dyPix, cout, max(v0, c1), v1,
              batch, all1 - all0, xsb, xsh, xsw, dsb, dsh, dyPix);
          }
        }
      }
    }
  }
  if (dbias != 0) f32_bias_bwd(dy, dbias, batch * outH * outW, cout);
}

/**
 * Bytes of x and dy one pixel block may span. Each register tile walks all
 * pixels of a block, and there are kh * ceil(kw*cin / 4) * ceil(cout / 8)
 * tiles, so the block is sized to stay in L2 while they all pass.
 */
const PIXEL_BLOCK: usize = 128 << 10;

/** Adds output columns [w0, w1) of one dw row (all cout columns) with 1-row tiles. */
function addColumns(
  x: usize, dy: usize, out: usize, cout: i32, w0: i32, w1: i32, nb: i32, nh: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize,
): void {
  if (w1 <= w0 || nh <= 0) return;
  for (let j = 0; j < cout; j += TILE_COLS) {
    const off = <usize>j * F32_BYTES;
    f32_outer_tile(x + <usize>w0 * xsw, dy + <usize>w0 * dsw + off, out + off, 0, 1, min(TILE_COLS, cout - j),
      0, 0, 0, nb, nh, w1 - w0, xsb, xsh, xsw, dsb, dsh, dsw, true);
  }
}
