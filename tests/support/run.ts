// Runs one kernel call on any backend with the same host-side inputs and
// returns a copy of the output, after checking guard bands and inputs. The
// kernel tests call these once with the JS oracle and once per wasm binary.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { Kernels } from "../../src/backend/kernels.js";
import { TestArena } from "./arena.js";
import { depthwiseGeometry, windowGeometry, type DepthwiseCase, type WindowCase } from "./geometry.js";

/** The leakyRelu slope every test passes (also passed, and ignored, for other activations). */
export const LEAKY_ALPHA = 0.2;

export const ALL_ACTIVATIONS: readonly ActivationId[] = [
  ActivationId.Linear, ActivationId.Relu, ActivationId.LeakyRelu, ActivationId.Sigmoid, ActivationId.Tanh,
  // Run with LEAKY_ALPHA (0.2) as its cap by the suites that pass one alpha to all: a cap inside the
  // data range, so both kinks are crossed; tests/kernels/activation.test.ts also checks cap 6 (relu6).
  // Elu likewise runs with scale 0.2 there (1 by name).
  ActivationId.ReluCapped, ActivationId.Elu, ActivationId.HardSigmoid, ActivationId.Swish,
];

export const activationName = (act: ActivationId): string => ActivationId[act];

const arenas = new WeakMap<Kernels, TestArena>();

/** The backend's test arena, emptied for a new call. */
export function freshArena(kernels: Kernels): TestArena {
  let arena = arenas.get(kernels);
  if (!arena) {
    arena = new TestArena(kernels);
    arenas.set(kernels, arena);
  }
  arena.reset();
  return arena;
}

export interface GemmInputs {
  m: number;
  k: number;
  n: number;
  a: Float32Array;
  b: Float32Array;
  bias: Float32Array | null;
  act: ActivationId;
  alpha: number;
}

export function runGemm(kernels: Kernels, g: GemmInputs, context: string): Float32Array {
  const arena = freshArena(kernels);
  const a = arena.upload(g.a, "A");
  const b = arena.upload(g.b, "B");
  const bias = g.bias ? arena.upload(g.bias, "bias") : 0;
  const packed = arena.alloc(kernels.gemmPackedSize(g.k, g.n), "packedB");
  kernels.gemmPackB(b, g.k, g.n, packed);
  const c = arena.alloc(g.m * g.n, "C");
  kernels.gemm(a, packed, bias, c, g.m, g.k, g.n, g.act, g.alpha);
  arena.verify(`${kernels.name} gemm ${context}`);
  return arena.read(c, g.m * g.n);
}

export interface ConvInputs {
  shape: WindowCase;
  outChannels: number;
  x: Float32Array;
  /** Keras layout [kh, kw, cin, cout]. */
  w: Float32Array;
  bias: Float32Array | null;
  act: ActivationId;
  alpha: number;
}

export function runConv2d(kernels: Kernels, c: ConvInputs, context: string): Float32Array {
  const g = windowGeometry(c.shape);
  const arena = freshArena(kernels);
  const x = arena.upload(c.x, "x");
  const w = arena.upload(c.w, "w");
  const bias = c.bias ? arena.upload(c.bias, "bias") : 0;
  const packed = arena.alloc(
    kernels.conv2dPackedSize(g.kernelHeight, g.kernelWidth, g.inChannels, c.outChannels), "packedW");
  kernels.conv2dPackFilter(w, g.kernelHeight, g.kernelWidth, g.inChannels, c.outChannels, packed);
  const scratchFloats = kernels.conv2dScratchSize(g);
  const scratch = scratchFloats > 0 ? arena.alloc(scratchFloats, "scratch") : 0;
  const outLength = g.batch * g.outHeight * g.outWidth * c.outChannels;
  const y = arena.alloc(outLength, "y");
  kernels.conv2d(g, x, packed, bias, y, c.outChannels, c.act, c.alpha, scratch);
  arena.verify(`${kernels.name} conv2d ${context}`);
  return arena.read(y, outLength);
}

export type PoolMode = "max" | "avg";

export function runPool(kernels: Kernels, mode: PoolMode, shape: WindowCase, xData: Float32Array,
                        context: string): Float32Array {
  const g = windowGeometry(shape);
  const arena = freshArena(kernels);
  const x = arena.upload(xData, "x");
  const outLength = g.batch * g.outHeight * g.outWidth * g.inChannels;
  const y = arena.alloc(outLength, "y");
  if (mode === "max") kernels.maxPool2d(g, x, y);
  else kernels.avgPool2d(g, x, y);
  arena.verify(`${kernels.name} ${mode}Pool2d ${context}`);
  return arena.read(y, outLength);
}

export function runGlobalAvgPool(kernels: Kernels, batch: number, height: number, width: number,
                                 channels: number, xData: Float32Array, context: string): Float32Array {
  const arena = freshArena(kernels);
  const x = arena.upload(xData, "x");
  const y = arena.alloc(batch * channels, "y");
  kernels.globalAvgPool2d(batch, height, width, channels, x, y);
  arena.verify(`${kernels.name} globalAvgPool2d ${context}`);
  return arena.read(y, batch * channels);
}

/** Element-wise activation, out of place or in place (x == y). */
export function runActivation(kernels: Kernels, xData: Float32Array, act: ActivationId, alpha: number,
                              inPlace: boolean, context: string): Float32Array {
  const arena = freshArena(kernels);
  const x = arena.upload(xData, "x");
  const y = inPlace ? x : arena.alloc(xData.length, "y");
  if (inPlace) arena.markWritable(x);
  kernels.activation(x, y, xData.length, act, alpha);
  arena.verify(`${kernels.name} activation ${context}`);
  return arena.read(y, xData.length);
}

export function runSoftmax(kernels: Kernels, xData: Float32Array, rows: number, cols: number,
                           inPlace: boolean, context: string): Float32Array {
  const arena = freshArena(kernels);
  const x = arena.upload(xData, "x");
  const y = inPlace ? x : arena.alloc(xData.length, "y");
  if (inPlace) arena.markWritable(x);
  kernels.softmax(x, y, rows, cols);
  arena.verify(`${kernels.name} softmax ${context}`);
  return arena.read(y, xData.length);
}

export interface DepthwiseInputs {
  shape: DepthwiseCase;
  x: Float32Array;
  /** Keras layout [kh, kw, C, M]. */
  w: Float32Array;
  bias: Float32Array | null;
  act: ActivationId;
  alpha: number;
}

export function runDepthwise(kernels: Kernels, c: DepthwiseInputs, context: string): Float32Array {
  const s = c.shape;
  const g = depthwiseGeometry(s);
  const arena = freshArena(kernels);
  const x = arena.upload(c.x, "x");
  const w = arena.upload(c.w, "w");
  const bias = c.bias ? arena.upload(c.bias, "bias") : 0;
  const outLength = g.batch * g.outHeight * g.outWidth * g.inChannels * s.depthMultiplier;
  const y = arena.alloc(outLength, "y");
  kernels.depthwiseConv2d(g, s.dilationHeight, s.dilationWidth, x, w, bias, y, s.depthMultiplier, c.act, c.alpha);
  arena.verify(`${kernels.name} depthwiseConv2d ${context}`);
  return arena.read(y, outLength);
}
