// f32-maxpool2d-bwd: the gradient of max pooling w.r.t. its input (NHWC).
// Each dy[n, oh, ow, c] goes to the input cell that won the window's max;
// overlapping windows (stride < window) add up; cells no window picked get 0.
//
// The argmax is recomputed from the forward input x (no i32 side buffer to
// plan or keep in sync): the window is walked in row-major order and a cell
// wins only when strictly greater, so on ties the FIRST maximum wins, as in
// TensorFlow's MaxPoolGrad. Padded cells are never candidates. A window with
// no real cell (padding >= window) routes its gradient nowhere.
//
// Contract
// - x: [batch, inH, inW, C] (the forward input); dy: [batch, outH, outW, C];
//   dx: [batch, inH, inW, C], written with `=` (zeroed, then scattered into).
// - No overlap of dx with x or dy. No alignment requirement; no over-read.
// - SIMD over channels, 4 at a time: the running max and the winning cell's
//   index are kept per lane (a strict f32x4.gt mask selects both), then the
//   four gradients are added one lane at a time. Scalar tail of C % 4.
// - Windows that tile the input exactly (stride == window, no padding, the
//   common 2x2 pool) take a gather form instead:
//   every dx cell belongs to one window, so each is written once with
//   `dy & (cell == argmax)`: no zeroing pass, no scattered lane stores.
// - NaN inputs: a NaN never compares greater, so it never wins (the forward
//   max propagates NaN; a NaN loss is caught above the kernels anyway).

import { F32_BYTES, LANES } from "../common/tile";
import { clipHi, clipLo } from "./window";

export function f32_maxpool2d_bwd(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, dy: usize, dx: usize,
): void {
  if (ASC_FEATURE_SIMD && sh == kh && sw == kw && padTop == 0 && padLeft == 0 &&
      outH * kh == inH && outW * kw == inW) {
    tiled(batch, inH, inW, ch, outH, outW, kh, kw, x, dy, dx);
    return;
  }
  const pix = <usize>ch * F32_BYTES;
  const imgBytes = <usize>inH * <usize>inW * pix;
  memory.fill(dx, 0, <usize>batch * imgBytes);
  let d = dy;
  for (let b = 0; b < batch; b++) {
    const xImg = x + <usize>b * imgBytes;
    const dxImg = dx + <usize>b * imgBytes;
    for (let oh = 0; oh < outH; oh++) {
      const ys = oh * sh - padTop;
      const y0 = clipLo(ys);
      const y1 = clipHi(ys, kh, inH);
      for (let ow = 0; ow < outW; ow++) {
        const xs = ow * sw - padLeft;
        const x0 = clipLo(xs);
        const x1 = clipHi(xs, kw, inW);
        if (y1 <= y0 || x1 <= x0) {
          d += pix;
          continue;
        }
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          for (; c + LANES <= ch; c += LANES) {
            const off = <usize>c * F32_BYTES;
            let best = f32x4.splat(-Infinity);
            // Cell index (iy * inW + ix) of the current winner, per lane.
            let arg = i32x4.splat(y0 * inW + x0);
            for (let iy = y0; iy < y1; iy++) {
              for (let ix = x0; ix < x1; ix++) {
                const cell = iy * inW + ix;
                const v = v128.load(xImg + <usize>cell * pix + off);
                const wins = f32x4.gt(v, best);
                best = v128.bitselect(v, best, wins);
                arg = v128.bitselect(i32x4.splat(cell), arg, wins);
              }
            }
            const g = v128.load(d + off);
            const base = dxImg + off;
            scatterLane(base + <usize>i32x4.extract_lane(arg, 0) * pix, f32x4.extract_lane(g, 0));
            scatterLane(base + <usize>i32x4.extract_lane(arg, 1) * pix + 4, f32x4.extract_lane(g, 1));
            scatterLane(base + <usize>i32x4.extract_lane(arg, 2) * pix + 8, f32x4.extract_lane(g, 2));
            scatterLane(base + <usize>i32x4.extract_lane(arg, 3) * pix + 12, f32x4.extract_lane(g, 3));
          }
        }
        for (; c < ch; c++) {
          const off = <usize>c * F32_BYTES;
          let best: f32 = -Infinity;
          let arg = y0 * inW + x0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const cell = iy * inW + ix;
              const v = load<f32>(xImg + <usize>cell * pix + off);
              const wins = v > best;
              best = select<f32>(v, best, wins);
              arg = select<i32>(cell, arg, wins);
            }
          }
          scatterLane(dxImg + <usize>arg * pix + off, load<f32>(d + off));
        }
        d += pix;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function scatterLane(p: usize, g: f32): void {
  store<f32>(p, load<f32>(p) + g);
}

/** Exact tiling (see the contract): two passes over each window, argmax then write. */
function tiled(
  batch: i32, inH: i32, inW: i32, ch: i32, outH: i32, outW: i32, kh: i32, kw: i32,
  x: usize, dy: usize, dx: usize,
): void {
  const pix = <usize>ch * F32_BYTES;
  const rowBytes = <usize>inW * pix;
  const winRow = <usize>kh * rowBytes; // one row of windows
  let d = dy;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const rowOff = (<usize>b * <usize>outH + <usize>oh) * winRow;
      for (let ow = 0; ow < outW; ow++) {
        const base = rowOff + <usize>ow * <usize>kw * pix;
        const vecEnd = ch >= LANES ? <usize>(ch & ~(LANES - 1)) * F32_BYTES : 0;
        for (let off: usize = 0; off < vecEnd; off += 16) {
          window4(x + base + off, dx + base + off, d + off, kh, kw, pix, rowBytes);
        }
        if (vecEnd != 0 && vecEnd < pix) {
          // The last 4 channels again, overlapping the previous block: the
          // writes are plain `=` of the same values, so overlap is harmless.
          const off = pix - 16;
          window4(x + base + off, dx + base + off, d + off, kh, kw, pix, rowBytes);
        }
        for (let off: usize = vecEnd == 0 ? 0 : pix; off < pix; off += F32_BYTES) {
          const start = base + off;
          let best: f32 = -Infinity;
          let arg = 0;
          let cell = 0;
          for (let iy = 0; iy < kh; iy++) {
            let q = x + start + <usize>iy * rowBytes;
            for (let ix = 0; ix < kw; ix++) {
              const v = load<f32>(q);
              const wins = v > best;
              best = select<f32>(v, best, wins);
              arg = select<i32>(cell, arg, wins);
              cell++;
              q += pix;
            }
          }
          const g = load<f32>(d + off);
          cell = 0;
          for (let iy = 0; iy < kh; iy++) {
            let q = dx + start + <usize>iy * rowBytes;
            for (let ix = 0; ix < kw; ix++) {
              store<f32>(q, cell == arg ? g : <f32>0);
              cell++;
              q += pix;
            }
          }
        }
        d += pix;
      }
    }
  }
}

/** One window, 4 channels: argmax per lane, then dx = dy where the cell won, 0 elsewhere. */
// @ts-ignore: decorator
@inline
function window4(x: usize, dx: usize, d: usize, kh: i32, kw: i32, pix: usize, rowBytes: usize): void {
  let best = f32x4.splat(-Infinity);
  let arg = i32x4.splat(0);
  let cell = 0;
  for (let iy = 0; iy < kh; iy++) {
    let q = x + <usize>iy * rowBytes;
    for (let ix = 0; ix < kw; ix++) {
      const v = v128.load(q);
      const wins = f32x4.gt(v, best);
      best = v128.bitselect(v, best, wins);
      arg = v128.bitselect(i32x4.splat(cell), arg, wins);
      cell++;
      q += pix;
    }
  }
  const g = v128.load(d);
  cell = 0;
  for (let iy = 0; iy < kh; iy++) {
    let q = dx + <usize>iy * rowBytes;
    for (let ix = 0; ix < kw; ix++) {
      v128.store(q, v128.and(g, i32x4.eq(arg, i32x4.splat(cell))));
      cell++;
      q += pix;
    }
  }
}
