// TensorFlow's output-size and padding rules, written once for the tests.
// 'same': out = ceil(in / stride), total padding = max((out - 1) * stride +
// kernel - in, 0), with floor(total / 2) before and the rest (the odd extra)
// after — at the bottom/right (tensorflow/core/framework/kernel_shape_util.cc,
// GetWindowedOutputSizeVerbose).
// 'valid': out = floor((in - kernel) / stride) + 1, no padding.

import type { WindowGeometry } from "../../src/backend/kernels.js";

export type Padding = "valid" | "same";

export interface AxisWindow {
  out: number;
  padBefore: number;
  padAfter: number;
}

export function windowAxis(inSize: number, kernel: number, stride: number, padding: Padding): AxisWindow {
  if (padding === "same") {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + kernel - inSize, 0);
    const padBefore = Math.floor(total / 2);
    return { out, padBefore, padAfter: total - padBefore };
  }
  if (kernel > inSize) throw new RangeError(`'valid' window ${kernel} larger than input ${inSize}`);
  return { out: Math.floor((inSize - kernel) / stride) + 1, padBefore: 0, padAfter: 0 };
}

/** A conv or pool case, described as a Keras user would. */
export interface WindowCase {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padding: Padding;
}

export function windowGeometry(c: WindowCase): WindowGeometry {
  const h = windowAxis(c.inHeight, c.kernelHeight, c.strideHeight, c.padding);
  const w = windowAxis(c.inWidth, c.kernelWidth, c.strideWidth, c.padding);
  return {
    batch: c.batch,
    inHeight: c.inHeight,
    inWidth: c.inWidth,
    inChannels: c.inChannels,
    outHeight: h.out,
    outWidth: w.out,
    kernelHeight: c.kernelHeight,
    kernelWidth: c.kernelWidth,
    strideHeight: c.strideHeight,
    strideWidth: c.strideWidth,
    padTop: h.padBefore,
    padLeft: w.padBefore,
  };
}

/** A short readable label: "b2 7x9x3 k3x3 s2x1 same". */
export function describeWindow(c: WindowCase): string {
  return `b${c.batch} ${c.inHeight}x${c.inWidth}x${c.inChannels} k${c.kernelHeight}x${c.kernelWidth} ` +
    `s${c.strideHeight}x${c.strideWidth} ${c.padding}`;
}
