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
 */
export function padImage(x: usize, inH: i32, inW: i32, cin: i32, padTop: i32, padLeft: i32, hp: i32, wp: i32, dst: usize): void {
  const pix = <usize>cin * F32_BYTES;
  const rowBytes = <usize>wp * pix;
  const left = min(padLeft, wp);
  const copied = max(0, min(inW, wp - left));
  const right = wp - left - copied;
  for (let r = 0; r < hp; r++) {
    const iy = r - padTop;
    const d = dst + <usize>r * rowBytes;
    if (iy < 0 || iy >= inH) {
      memory.fill(d, 0, rowBytes);
      continue;
    }
    memory.fill(d, 0, <usize>left * pix);
    memory.copy(d + <usize>left * pix, x + <usize>iy * <usize>inW * pix, <usize>copied * pix);
    memory.fill(d + <usize>(left + copied) * pix, 0, <usize>right * pix);
  }
}
