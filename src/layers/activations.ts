// Activation names accepted by layers, mapped once to the kernel ids shared
// with AssemblyScript (assembly/shared/ids.ts). Softmax is not element-wise,
// so it has no kernel id: layers run it as a separate row-wise pass.

import { ActivationId } from "../../assembly/shared/ids.js";
import type { Kernels } from "../backend/kernels.js";
import type { ElementwiseKernels } from "../backend/kernels-elementwise.js";
import type { TrainingKernels } from "../backend/kernels-train.js";
import { ConfigError } from "../errors.js";

/** Activation names, as tfjs-layers spells them. */
export const ACTIVATION_NAMES = ["linear", "relu", "sigmoid", "tanh", "softmax", "leakyRelu"] as const;

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
};

/** A validated activation: the element-wise kernel id, plus whether a row-wise softmax follows. */
export interface ParsedActivation {
  readonly name: ActivationName;
  /** Fused into the GEMM/conv epilogue (Linear when softmax). */
  readonly id: ActivationId;
  readonly softmax: boolean;
  /** leakyRelu slope (0 for the others). */
  readonly alpha: number;
}

/** Validates an activation option; `where` names the layer for the message. */
export function parseActivation(value: unknown, alpha: unknown, where: string): ParsedActivation {
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
  return { name: n, id: IDS[n], softmax: false, alpha: n === "leakyRelu" ? a : 0 };
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
 * Turns dy (gradient w.r.t. the activation's output y, [rows, cols]) into the
 * gradient w.r.t. its input, written to dz (dz == dy allowed). Softmax runs
 * its own row-wise kernel (it trains un-fused, e.g. under meanSquaredError).
 */
export function activationBackward(train: TrainingKernels & ElementwiseKernels, act: ParsedActivation,
                                   y: number, dy: number, dz: number, rows: number, cols: number): void {
  if (act.softmax) {
    train.softmaxBackward(y, dy, dz, rows, cols);
    return;
  }
  if (act.id === ActivationId.Linear && dz === dy) return;
  train.activationBackward(y, dy, dz, rows * cols, act.id, act.alpha);
}
