// f32-gemm-bwd-filter: the gradient of a Dense layer w.r.t. its kernel,
//   dw[k, n] = X^T[k, m] * dy[m, n],  i.e. dw[p, j] = sum_i x[i, p] * dy[i, j],
// plus the shared core of the Conv2D filter gradient.
//
// Both are a sum of outer products over a set of "rows" (batch rows for
// Dense; output pixels whose filter tap lands inside the image for Conv2D).
// No transposed copy of X: each dw row p keeps 16 (then 4, then 1) columns in
// registers while the rows stream past, reading x[i, p] as a broadcast and
// dy[i, j..j+15] as four v128 loads; each dw element is stored once.
//
// Contract (f32_gemm_bwd_filter)
// - x: [m, k]; dy: [m, n]; dw: [k, n], written with `=` (m == 0 gives zeros);
//   dbias: [n] written with `=`, or 0 for no bias. No overlap of outputs with
//   inputs. No alignment requirement; no over-read.
//
// Contract (f32_outer_sum): the row set is a 3-level strided walk
//   r = (b, h, w), b < nb, h < nh, w < nw, with byte strides
//   x row at x + b*xsb + h*xsh + w*xsw, dy row at dy + b*dsb + h*dsh + w*dsw;
//   dw[c, j] = sum_r x_r[c] * dy_r[j] for c < kc, j < n; dw rows are n floats
//   apart; written with `=`.

import { F32_BYTES, LANES } from "../common/tile";
import { madd } from "./madd";
import { f32_bias_bwd } from "./f32_bias_bwd";

/** Columns a dw row keeps in registers in the SIMD builds (four v128). */
const COLS: i32 = 16;

function cols16(
  x: usize, dy: usize, out: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    for (let h = 0; h < nh; h++) {
      let xq = x + <usize>b * xsb + <usize>h * xsh;
      let dq = dy + <usize>b * dsb + <usize>h * dsh;
      for (let w = 0; w < nw; w++) {
        const xv = v128.load32_splat(xq);
        a0 = madd(xv, v128.load(dq), a0);
        a1 = madd(xv, v128.load(dq, 16), a1);
        a2 = madd(xv, v128.load(dq, 32), a2);
        a3 = madd(xv, v128.load(dq, 48), a3);
        xq += xsw;
        dq += dsw;
      }
    }
  }
  v128.store(out, a0);
  v128.store(out, a1, 16);
  v128.store(out, a2, 32);
  v128.store(out, a3, 48);
}

function cols4(
  x: usize, dy: usize, out: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize,
): void {
  let a = f32x4.splat(0);
  for (let b = 0; b < nb; b++) {
    for (let h = 0; h < nh; h++) {
      let xq = x + <usize>b * xsb + <usize>h * xsh;
      let dq = dy + <usize>b * dsb + <usize>h * dsh;
      for (let w = 0; w < nw; w++) {
        a = madd(v128.load32_splat(xq), v128.load(dq), a);
        xq += xsw;
        dq += dsw;
      }
    }
  }
  v128.store(out, a);
}

function cols1(
  x: usize, dy: usize, out: usize, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize,
): void {
  let s: f32 = 0;
  for (let b = 0; b < nb; b++) {
    for (let h = 0; h < nh; h++) {
      let xq = x + <usize>b * xsb + <usize>h * xsh;
      let dq = dy + <usize>b * dsb + <usize>h * dsh;
      for (let w = 0; w < nw; w++) {
        s += load<f32>(xq) * load<f32>(dq);
        xq += xsw;
        dq += dsw;
      }
    }
  }
  store<f32>(out, s);
}

export function f32_outer_sum(
  x: usize, dy: usize, dw: usize, kc: i32, n: i32, nb: i32, nh: i32, nw: i32,
  xsb: usize, xsh: usize, xsw: usize, dsb: usize, dsh: usize, dsw: usize,
): void {
  const dwRow = <usize>n * F32_BYTES;
  for (let c = 0; c < kc; c++) {
    const xc = x + <usize>c * F32_BYTES;
    const out = dw + <usize>c * dwRow;
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + COLS <= n; j += COLS) {
        const off = <usize>j * F32_BYTES;
        cols16(xc, dy + off, out + off, nb, nh, nw, xsb, xsh, xsw, dsb, dsh, dsw);
      }
      for (; j + LANES <= n; j += LANES) {
        const off = <usize>j * F32_BYTES;
        cols4(xc, dy + off, out + off, nb, nh, nw, xsb, xsh, xsw, dsb, dsh, dsw);
      }
    }
    for (; j < n; j++) {
      const off = <usize>j * F32_BYTES;
      cols1(xc, dy + off, out + off, nb, nh, nw, xsb, xsh, xsw, dsb, dsh, dsw);
    }
  }
}

export function f32_gemm_bwd_filter(x: usize, dy: usize, dw: usize, dbias: usize, m: i32, k: i32, n: i32): void {
  // The m rows as one strided level: (b, h, w) = (0, 0, i).
  f32_outer_sum(x, dy, dw, k, n, 1, 1, m, 0, 0, <usize>k * F32_BYTES, 0, 0, <usize>n * F32_BYTES);
  if (dbias != 0) f32_bias_bwd(dy, dbias, m, n);
}
