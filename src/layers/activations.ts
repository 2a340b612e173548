// Activation names accepted by layers, mapped once to the kernel ids shared
// with AssemblyScript (assembly/shared/ids.ts). Softmax is not element-wise,
// so it has no kernel id: layers run it as a separate row-wise pass.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { Kernels } from "../backend/kernels.js";
import type { ElementwiseKernels } from "../backend/kernels-elementwise.js";
import type { TrainingKernels } from "../backend/kernels-train.js";
import { ConfigError } from "../errors.js";

/** Activation names, as tfjs-layers spells them. */
export const ACTIVATION_NAMES = [
  "linear", "relu", "sigmoid", "tanh", "softmax", "leakyRelu", "relu6", "elu", "hardSigmoid", "swish",
] as const;

/** An activation a layer accepts by name. */
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** Default leakyRelu slope for x < 0, as Keras / tfjs-layers LeakyReLU. */
export const LEAKY_RELU_DEFAULT_ALPHA = 0.3;


const IDS: Record<Exclude<ActivationName, "softmax">, ActivationId> = {
  linear: ActivationId.Linear,
  relu: ActivationId.Relu,
  sigmoid: ActivationId.Sigmoid,
  tanh: ActivationId.Tanh,
  leakyRelu: ActivationId.LeakyRelu,
  relu6: ActivationId.ReluCapped,
  elu: ActivationId.Elu,
  hardSigmoid: ActivationId.HardSigmoid,
  swish: ActivationId.Swish,
};

/** The fixed alpha of activations named without one: relu6's cap, elu's scale (Keras' default 1). */
const FIXED_ALPHA: Partial<Record<ActivationName, number>> = { relu6: 6, elu: 1 };

/** A validated activation: the element-wise kernel id, plus whether a row-wise softmax follows. */
export interface ParsedActivation {
  /** 'reluCapped' only from a ReLU layer with a maxValue (any cap; relu6 by name is 'relu6'). */
  readonly name: ActivationName | "reluCapped";
  /** Fused into the GEMM/conv epilogue (Linear when softmax). */
  readonly id: ActivationId;
  readonly softmax: boolean;
  /** leakyRelu slope, relu6 / reluCapped cap, elu scale 1 (0 for the others). */
  readonly alpha: number;
}

/** A ParsedActivation named by an {@link ActivationName}: what parseActivation returns. */
export interface NamedActivation extends ParsedActivation {
  readonly name: ActivationName;
}

/** Validates an activation option; `where` names the layer for the message. */
export function parseActivation(value: unknown, alpha: unknown, where: string): NamedActivation {
  const name = value ?? "linear";
  if (typeof name !== "string" || !(ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`${where}: unknown activation ${JSON.stringify(name)}; ` +
      `expected one of ${ACTIVATION_NAMES.map((n) => `'${n}'`).join(", ")}`);
  }
  const a = alpha ?? LEAKY_RELU_DEFAULT_ALPHA;
  if (typeof a !== "number" || !Number.isFinite(a)) {
    throw new ConfigError(`${where}: alpha must be a finite number, got ${String(alpha)}`);
  }
  const n = name as ActivationName;
  if (n === "softmax") return { name: n, id: ActivationId.Linear, softmax: true, alpha: 0 };
  return { name: n, id: IDS[n], softmax: false, alpha: n === "leakyRelu" ? a : FIXED_ALPHA[n] ?? 0 };
}

/**
 * Keras' ReLU(max_value, negative_slope, threshold) as one kernel activation:
 * a cap alone is ReluCapped (relu6 when 6), a slope alone leakyRelu.
 * @throws {ConfigError} for a threshold other than 0, a slope together with a
 * cap (no kernel does both), or values that are not non-negative numbers.
 */
export function parseRelu(maxValue: unknown, negativeSlope: unknown, threshold: unknown, where: string): ParsedActivation {
  const nonNegative = (v: unknown, key: string): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(`${where}: ${key} must be a finite number >= 0, got ${String(v)}`);
    }
    return v;
  };
  const cap = nonNegative(maxValue, "maxValue");
  const slope = nonNegative(negativeSlope, "negativeSlope") ?? 0;
  const t = threshold ?? 0;
  if (t !== 0) {
    throw new ConfigError(`${where}: threshold ${String(t)} is not supported (thresholded ReLU is not implemented; only threshold 0)`);
  }
  if (cap !== null && slope !== 0) {
    throw new ConfigError(`${where}: negativeSlope together with maxValue is not supported ` +
      `(a leaky capped ReLU is not implemented; give one of them)`);
  }
  if (cap !== null) return { name: "reluCapped", id: ActivationId.ReluCapped, softmax: false, alpha: cap };
  if (slope !== 0) return { name: "leakyRelu", id: ActivationId.LeakyRelu, softmax: false, alpha: slope };
  return { name: "relu", id: ActivationId.Relu, softmax: false, alpha: 0 };
}

/** The identity: what a layer's output activation becomes when the model moves it into the loss. */
export const LINEAR: ParsedActivation = Object.freeze({ name: "linear", id: ActivationId.Linear, softmax: false, alpha: 0 });

/** Runs the softmax that follows a linear GEMM/conv, in place over rows of `cols` values. */
export function softmaxRows(kernels: Kernels, ptr: number, rows: number, cols: number): void {
  kernels.softmax(ptr, ptr, rows, cols);
}

/** Runs `act` from `z` into `y` over [rows, cols] (the training forward of a fused output layer). */
export function applyActivation(kernels: Kernels, act: ParsedActivation, z: number, y: number,
                                rows: number, cols: number): void {
  if (act.softmax) kernels.softmax(z, y, rows, cols);
  else kernels.activation(z, y, rows * cols, act.id, act.alpha);
}

/**
 * Swish's gradient needs its input z (x sigmoid(x) is not one-to-one, so the
 * output y cannot give it), which a fused epilogue does not keep: a layer
 * ending in swish keeps z in its training state, `keptFloats(act, n)` floats
 * for n outputs (0 for every other activation, whose gradient y gives).
 */
export function keptFloats(act: ParsedActivation, outputs: number): number {
  return act.id === ActivationId.Swish ? outputs : 0;
}

/**
 * The activation a layer's kernel fuses: `act`, or linear when the layer
 * writes z to `keep` (a training forward keeping z); `activateKept` then
 * runs `act` from there into y.
 */
export function fusedPart(act: ParsedActivation, keep: number): ParsedActivation {
  return keep !== 0 ? LINEAR : act;
}

/** After a kernel wrote z to `keep` (see fusedPart): y = act(z) over `length` floats. */
export function activateKept(kernels: Kernels, act: ParsedActivation, keep: number, y: number, length: number): void {
  if (keep !== 0) kernels.activation(keep, y, length, act.id, act.alpha);
}

/**
 * Turns dy (gradient w.r.t. the activation's output y, [rows, cols]) into the
 * gradient w.r.t. its input z, written to dz (dz == dy allowed); `z` is read
 * by swish only (see keptFloats). Softmax runs its own row-wise kernel (it
 * trains un-fused, e.g. under meanSquaredError).
 */
export function activationBackward(train: TrainingKernels & ElementwiseKernels, act: ParsedActivation,
                                   y: number, dy: number, dz: number, rows: number, cols: number, z: number): void {
  if (act.softmax) {
    train.softmaxBackward(y, dy, dz, rows, cols);
    return;
  }
  if (act.id === ActivationId.Linear && dz === dy) return;
  train.activationBackward(act.id === ActivationId.Swish ? z : y, dy, dz, rows * cols, act.id, act.alpha);
}
