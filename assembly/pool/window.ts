// Window clipping shared by max and average pooling: the part of a pooling
// window that lies inside the image. Padded cells are never read.

/** First real row/column of a window starting at `start` (may be negative). */
// @ts-ignore: decorator
@inline
export function clipLo(start: i32): i32 {
  return max(start, 0);
}

/** One past the last real row/column of a window of `size` from `start`. */
// @ts-ignore: decorator
@inline
export function clipHi(start: i32, size: i32, extent: i32): i32 {
  return min(start + size, extent);
}
