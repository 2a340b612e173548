// Test cases described as a Keras user would, turned into kernel geometry by
// TensorFlow's output-size and padding rules (src/shape.ts; the rule is
// tensorflow/core/framework/kernel_shape_util.cc, GetWindowedOutputSizeVerbose).

import type { WindowGeometry } from "../../src/backend/kernels.js";

import { axisWindow, type Padding } from "../../src/shape.js";

export type { Padding };
export type { AxisWindow } from "../../src/shape.js";

/**
 * The library's one shape helper (src/shape.ts, property-tested in
 * tests/api/shape.test.ts), with the throw a test table wants for a 'valid'
 * window larger than its input.
 */
export function windowAxis(inSize: number, kernel: number, stride: number, padding: Padding) {
  if (padding === "valid" && kernel > inSize) {
    throw new RangeError(`'valid' window ${kernel} larger than input ${inSize}`);
  }
  return axisWindow(inSize, kernel, stride, padding);
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

/** A depthwise conv case: a window case plus the depth multiplier and the dilation. */
export interface DepthwiseCase extends WindowCase {
  depthMultiplier: number;
  dilationHeight: number;
  dilationWidth: number;
}

/** The kernel geometry of a depthwise case: output size and padding of the dilated window. */
export function depthwiseGeometry(c: DepthwiseCase): WindowGeometry {
  const h = axisWindow(c.inHeight, c.kernelHeight, c.strideHeight, c.padding, c.dilationHeight);
  const w = axisWindow(c.inWidth, c.kernelWidth, c.strideWidth, c.padding, c.dilationWidth);
  if (h.out <= 0 || w.out <= 0) throw new RangeError(`dilated 'valid' window larger than the input`);
  return {
    batch: c.batch, inHeight: c.inHeight, inWidth: c.inWidth, inChannels: c.inChannels,
    outHeight: h.out, outWidth: w.out, kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
    strideHeight: c.strideHeight, strideWidth: c.strideWidth, padTop: h.padBefore, padLeft: w.padBefore,
  };
}

/** "b2 7x9x3 k3x3 s2x1 same m2 d2x2". */
export function describeDepthwise(c: DepthwiseCase): string {
  return `${describeWindow(c)} m${c.depthMultiplier} d${c.dilationHeight}x${c.dilationWidth}`;
}
