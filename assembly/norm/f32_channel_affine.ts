// f32-channel-affine: y[o, c, i] = act(x[o, c, i] * scale[c] + shift[c]),
// BatchNormalization's per-channel map (inference, and training once the
// batch statistics are known).
//
// Contract
// - x, y: [outer, channels, inner] row-major; y == x (in place) is allowed,
//   any other overlap is not. y written with `=`.
// - scale, shift: [channels], or 0 for all ones / all zeros.
// - The tensor is walked as rows of contiguous runs: inner == 1
//   (channels-last, the NHWC case) gives `outer` rows of `channels` floats,
//   four channels per v128; inner > 1 gives outer * channels rows of `inner`
//   floats sharing one scale/shift, splatted, four positions per v128.
//   The run's tail (length % 4) goes one float at a time: through the same
//   v128 code in the SIMD builds (norm/lanes.ts), plain f32 in the scalar one.
// - Alignment: none required. Over-read: none.
// - The activation runs over each row right after the row is stored, while it
//   is still in L1 (f32_vactivation_fwd, as the GEMM epilogue does for
//   sigmoid/tanh): no activation code is inlined here, since simd.wasm is
//   close to its size budget. The relaxed-SIMD build fuses x * scale + shift.

import { ActivationId } from "../shared/ids";
import { F32_BYTES, LANES } from "../common/tile";
import { f32_vactivation_fwd } from "../activation/f32_vactivation_fwd";
import { madd } from "../gemm/madd";
import { loadLanes, storeLanes } from "./lanes";

export function f32_channel_affine(
  x: usize, scale: usize, shift: usize, y: usize, outer: i32, channels: i32, inner: i32, act: i32, alpha: f32,
): void {
  const perLane = inner == 1;
  const rows = outer * (perLane ? 1 : channels);
  const run = perLane ? channels : inner;
  const rowBytes = <usize>run * F32_BYTES;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    // inner > 1: row r is channel r % channels, one scale/shift for the whole run.
    const chOff: usize = perLane ? 0 : <usize>(r % channels) * F32_BYTES;
    if (ASC_FEATURE_SIMD) {
      for (let j = 0; j < run;) {
        const wide = j + LANES <= run;
        const off = <usize>j * F32_BYTES;
        // Per-lane parameters for inner == 1 (wide: four channels), else one splatted.
        const pOff = perLane ? off : chOff, pWide = perLane && wide;
        const s = scale ? loadLanes(scale + pOff, pWide) : f32x4.splat(1);
        const b = shift ? loadLanes(shift + pOff, pWide) : f32x4.splat(0);
        storeLanes(yr + off, madd(loadLanes(xr + off, wide), s, b), wide);
        j += wide ? LANES : 1;
      }
    } else {
      for (let j = 0; j < run; j++) {
        const c = perLane ? <usize>j * F32_BYTES : chOff;
        const s = scale ? load<f32>(scale + c) : <f32>1;
        const b = shift ? load<f32>(shift + c) : <f32>0;
        const off = <usize>j * F32_BYTES;
        store<f32>(yr + off, load<f32>(xr + off) * s + b);
      }
    }
    if (act != ActivationId.Linear) f32_vactivation_fwd(yr, yr, run, act, alpha);
  }
}
