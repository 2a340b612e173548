// f32-conv2d-fwd-residual: y = act(conv2d(x) + bias + r), a convolution with
// a residual Add fused in (an inverted-residual block's projection, as
// XNNPACK fuses it): the Add layer and its output buffer no longer exist.
//
// Contract: f32_conv2d_fwd's, plus r: [batch, outH, outW, cout], read once;
// r must not overlap y (y is written before r is read).
// - A 1x1 stride-1 unpadded convolution (the projection) is a GEMM over the
//   pixels: it runs in chunks of rows whose output fits in L1 (RESIDUAL_CHUNK
//   bytes), each chunk's add and activation right after its GEMM, so the
//   conv output never makes a round trip to memory before the add.
// - Any other shape runs the whole convolution, then the add and the
//   activation in one pass over y (a ResNet block's 3x3 conv + BN + Add).
// Sums are the same f32 operations as conv then Add then activation: the
// fused and unfused graphs agree bit for bit.

import { F32_BYTES } from "../common/tile";
import { ActivationId, BinaryOpId } from "../shared/ids";
import { f32_gemm_fwd } from "../gemm/f32_gemm_fwd";
import { f32_vbinary } from "../elementwise/f32_vbinary";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { f32_conv2d_fwd } from "./f32_conv2d_fwd";

/** Output bytes per GEMM chunk: a third of a 48 KiB L1, leaving room for r and the A rows. */
const RESIDUAL_CHUNK: i32 = 16 * 1024;

export function f32_conv2d_fwd_residual(
  batch: i32, inH: i32, inW: i32, cin: i32, outH: i32, outW: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32,
  x: usize, packedW: usize, bias: usize, y: usize, cout: i32,
  act: i32, alpha: f32, scratch: usize, r: usize,
): void {
  if (batch <= 0 || outH <= 0 || outW <= 0) return;
  const pointwise = kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  const m = batch * outH * outW;
  // Pointwise: whole 4-row slabs per chunk, so the GEMM's row tail runs once at the end. Else one chunk.
  const rows = pointwise ? max(4, (RESIDUAL_CHUNK / (cout * <i32>F32_BYTES)) & ~3) : m;
  for (let i = 0; i < m; i += rows) {
    const n = min(rows, m - i);
    const yi = y + <usize>i * <usize>cout * F32_BYTES;
    if (pointwise) {
      f32_gemm_fwd(x + <usize>i * <usize>cin * F32_BYTES, packedW, bias, yi, n, cin, cout, ActivationId.Linear, 0);
    } else {
      f32_conv2d_fwd(batch, inH, inW, cin, outH, outW, kh, kw, sh, sw, padTop, padLeft, x, packedW, bias, y, cout,
        ActivationId.Linear, 0, scratch);
    }
    f32_vbinary(BinaryOpId.Add, yi, r + <usize>i * <usize>cout * F32_BYTES, yi, n * cout);
    f32_vactivation_fwd(yi, yi, n * cout, act, alpha);
  }
}
