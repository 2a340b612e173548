// f32-conv2d-pad: the zero-bordered copy of one input image that the forward
// convolution kernels read instead of testing every window for the border.
//
// A window grid of outH x outW at strides (sh, sw) with kernel kh x kw
// touches hp = (outH-1)*sh + kh rows and wp = (outW-1)*sw + kw columns of
// the padded image, starting padTop rows above and padLeft columns left of
// the input. Copying those rows once per image (a few us at LeNet sizes)
// makes every window a plain strided read.

import { F32_BYTES } from "../common/tile";

/** Rows of the (virtually) padded image the windows touch. */
// @ts-ignore: decorator
@inline
export function paddedHeight(outH: i32, kh: i32, sh: i32): i32 {
  return (outH - 1) * sh + kh;
}

/** Columns of the (virtually) padded image the windows touch. */
// @ts-ignore: decorator
@inline
export function paddedWidth(outW: i32, kw: i32, sw: i32): i32 {
  return (outW - 1) * sw + kw;
}

/** Whether any window reaches outside the input (then the kernels read a padded copy). */
// @ts-ignore: decorator
@inline
export function needsPadding(inH: i32, inW: i32, outH: i32, outW: i32, kh: i32, kw: i32, sh: i32, sw: i32, padTop: i32, padLeft: i32): bool {
  return padTop > 0 || padLeft > 0 ||
    paddedHeight(outH, kh, sh) > inH || paddedWidth(outW, kw, sw) > inW;
}

/**
 * Copies one [inH, inW, cin] image into a zero-bordered [hp, wp, cin] one at
 * dst (hp*wp*cin floats written with `=`; x and dst must not overlap).
 * The SIMD builds move v128s in loops of their own: V8 compiles
 * memory.fill / memory.copy to calls out of the wasm code, and at three per
 * row they cost more than the bytes they move (28x28x1 'same' 5x5, the
 * one-channel kernel: 7.8 -> 7.4 us relaxed).
 */
export function padImage(x: usize, inH: i32, inW: i32, cin: i32, padTop: i32, padLeft: i32, hp: i32, wp: i32, dst: usize): void {
  const pix = <usize>cin * F32_BYTES;
  const rowBytes = <usize>wp * pix;
  const left = min(padLeft, wp);
  const copied = max(0, min(inW, wp - left));
  const leftBytes = <usize>left * pix;
  const copiedBytes = <usize>copied * pix;
  const rightBytes = rowBytes - leftBytes - copiedBytes;
  for (let r = 0; r < hp; r++) {
    const iy = r - padTop;
    const d = dst + <usize>r * rowBytes;
    if (iy < 0 || iy >= inH) {
      zeroBytes(d, rowBytes);
      continue;
    }
    zeroBytes(d, leftBytes);
    copyBytes(d + leftBytes, x + <usize>iy * <usize>inW * pix, copiedBytes);
    zeroBytes(d + leftBytes + copiedBytes, rightBytes);
  }
}

/** n bytes (a multiple of 4) of zeros at d. */
// @ts-ignore: decorator
@inline
function zeroBytes(d: usize, n: usize): void {
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    let o: usize = 0;
    for (; o + 16 <= n; o += 16) v128.store(d + o, zero);
    for (; o < n; o += F32_BYTES) store<f32>(d + o, 0);
  } else {
    memory.fill(d, 0, n);
  }
}

/** n bytes (a multiple of 4) from s to d, not overlapping. */
// @ts-ignore: decorator
@inline
function copyBytes(d: usize, s: usize, n: usize): void {
  if (ASC_FEATURE_SIMD) {
    let o: usize = 0;
    for (; o + 16 <= n; o += 16) v128.store(d + o, v128.load(s + o));
    for (; o < n; o += F32_BYTES) store<f32>(d + o, load<f32>(s + o));
  } else {
    memory.copy(d, s, n);
  }
}
