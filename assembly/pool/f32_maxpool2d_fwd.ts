// f32-maxpool2d-fwd: NHWC max pooling.
//   y[n, oh, ow, c] = max over the real cells of the window
//     rows oh*sh - padTop .. +kh, columns ow*sw - padLeft .. +kw.
// Padded cells are ignored (TensorFlow treats them as -Infinity); a window
// with no real cell at all (only possible with padding >= window) gives
// -Infinity.
//
// Contract
// - x: [batch, inH, inW, C]; y: [batch, outH, outW, C], written with `=`;
//   no overlap. No alignment requirement.
// - SIMD over channels: 16 at a time (4 accumulators), then 4; a tail of
//   C % 4 (C >= 4) is one more vector ending at channel C - 1, overlapping
//   the previous one (those lanes get the same values twice), so C = 6 (LeNet)
//   costs 2 vector passes instead of 1 vector + 2 scalar ones. C < 4 is
//   scalar. No over-read.
// - The comparison is `x > m ? x : m` (f32x4.pmax), as the plain-JS oracle
//   (`if (v > acc) acc = v`): a NaN input is skipped. f32x4.max / f32.max
//   (IEEE NaN and -0 rules) cost V8 eight x64 instructions per vector
//   instead of one. With both changes 2x2 pooling of 28x28x6 went from 7.4
//   to 2.7 us, and of 64x28x28x6 from 0.49 to 0.17 ms (Zen 3, Node 20).
// - 2x2 windows at stride 2 without padding (LeNet, VGG) take an unrolled
//   path: four loads and five pmax per vector, no window clipping or
//   inner loops. 28x28x6 2.8 -> 0.9 us, 64x28x28x6 0.172 -> 0.058 ms,
//   10x10x16 0.3 -> 0.2 us (SIMD and relaxed alike, best of 12, one process).
//   With 4..8 channels (LeNet's 6) the two vectors of a pixel (the second
//   ending at the last channel) are written straight, without the group
//   loop and its clamp-and-break branches: 28x28x6 0.82 -> 0.44 us, SIMD
//   and relaxed alike (best of 101 interleaved rounds, one process).

import { F32_BYTES, LANES } from "../common/tile";
import { clipHi, clipLo } from "./window";

export function f32_maxpool2d_fwd(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, y: usize,
): void {
  const pix = <usize>ch * F32_BYTES;
  const rowBytes = <usize>inW * pix;
  if (ASC_FEATURE_SIMD && ch >= LANES && kh == 2 && kw == 2 && sh == 2 && sw == 2 && padTop == 0 && padLeft == 0 &&
      2 * outH <= inH && 2 * outW <= inW) {
    pool2x2(batch, inH, ch, outH, outW, x, y, pix, rowBytes);
    return;
  }
  let out = y;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>inH * rowBytes;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const y0 = clipLo(ys);
      const y1 = clipHi(ys, kh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        const x0 = clipLo(xs);
        const x1 = clipHi(xs, kw, inW);
        const cell0 = img + <usize>y0 * rowBytes + <usize>x0 * pix;
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + 4 * LANES <= ch; c += 4 * LANES) {
            const off = <usize>c * F32_BYTES;
            let m0 = f32x4.splat(-Infinity), m1 = m0, m2 = m0, m3 = m0;
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                m0 = f32x4.pmax(m0, v128.load(p));
                m1 = f32x4.pmax(m1, v128.load(p, 16));
                m2 = f32x4.pmax(m2, v128.load(p, 32));
                m3 = f32x4.pmax(m3, v128.load(p, 48));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, m0);
            v128.store(out + off, m1, 16);
            v128.store(out + off, m2, 32);
            v128.store(out + off, m3, 48);
          }
          while (c < ch && ch >= LANES) {
            // The last group ends at channel ch - 1 (overlapping when ch % 4 != 0).
            if (c + LANES > ch) c = ch - LANES;
            const off = <usize>c * F32_BYTES;
            let m = f32x4.splat(-Infinity);
            let rowp = cell0 + off;
            for (let iy = y0; iy < y1; iy++) {
              let p = rowp;
              for (let ix = x0; ix < x1; ix++) {
                m = f32x4.pmax(m, v128.load(p));
                p += pix;
              }
              rowp += rowBytes;
            }
            v128.store(out + off, m);
            c += LANES;
          }
        }
        for (; c < ch; c++) {
          const off = <usize>c * F32_BYTES;
          let m: f32 = -Infinity;
          let rowp = cell0 + off;
          for (let iy = y0; iy < y1; iy++) {
            let p = rowp;
            for (let ix = x0; ix < x1; ix++) {
              const v = load<f32>(p);
              m = v > m ? v : m;
              p += pix;
            }
            rowp += rowBytes;
          }
          store<f32>(out + off, m);
        }
        out += pix;
      }
    }
  }
}

/** 2x2 windows, stride 2, no padding, ch >= 4 (see the contract above). */
function pool2x2(batch: i32, inH: i32, ch: i32, outH: i32, outW: i32, x: usize, y: usize, pix: usize, rowBytes: usize): void {
  const lastOff = <usize>(ch - LANES) * F32_BYTES;
  // Each half starts from -Infinity so a NaN is skipped exactly as in the
  // general path; ties keep the earlier cell, as there.
  const lowest = f32x4.splat(-Infinity);
  let out = y;
  for (let b = 0; b < batch; b++) {
    const img = x + <usize>b * <usize>inH * rowBytes;
    for (let oh = 0; oh < outH; oh++) {
      let p = img + <usize>(2 * oh) * rowBytes;
      if (ch <= 2 * LANES) {
        // 4..8 channels (LeNet's 6): two vectors, the second ending at the
        // last channel, without the group loop.
        for (let ow = 0; ow < outW; ow++) {
          v128.store(out, window2x2(p, pix, rowBytes, lowest));
          v128.store(out + lastOff, window2x2(p + lastOff, pix, rowBytes, lowest));
          p += 2 * pix;
          out += pix;
        }
        continue;
      }
      for (let ow = 0; ow < outW; ow++) {
        let off: usize = 0;
        while (true) {
          // The last group ends at channel ch - 1 (overlapping when ch % 4 != 0).
          if (off > lastOff) off = lastOff;
          v128.store(out + off, window2x2(p + off, pix, rowBytes, lowest));
          if (off == lastOff) break;
          off += 16;
        }
        p += 2 * pix;
        out += pix;
      }
    }
  }
}

/** Max of one 2x2 window's four vectors at q (columns pix apart, rows rowBytes apart). */
// @ts-ignore: decorator
@inline
function window2x2(q: usize, pix: usize, rowBytes: usize, lowest: v128): v128 {
  const top = f32x4.pmax(f32x4.pmax(lowest, v128.load(q)), v128.load(q + pix));
  const bottom = f32x4.pmax(f32x4.pmax(lowest, v128.load(q + rowBytes)), v128.load(q + rowBytes + pix));
  return f32x4.pmax(top, bottom);
}
