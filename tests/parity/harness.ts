// Shared by the parity suites: the backends this Node can run, seeded
// weights for a tfjs model, and the comparison.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type * as tfl from "@tensorflow/tfjs-layers";
import { expect } from "vitest";
import type { InitOptions, Sequential } from "simdcnn";
import { MODEL_PARITY_ABS } from "./tolerances.js";

/** Every backend Node 20 can run (relaxed SIMD after the explicit V8 flag opt-in). */
export const BACKENDS: { name: string; options: InitOptions }[] = [
  { name: "js", options: { backend: "js" } },
  { name: "scalar", options: { backend: "scalar" } },
  { name: "simd", options: { backend: "simd" } },
  { name: "relaxed-simd", options: { backend: "relaxed-simd", nodeRelaxedSimdFlag: true } },
];

export async function useTfCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** A seeded uniform generator in [-1, 1) (LCG: reproducible, no dependency). */
export function uniform(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/**
 * Gives the tfjs model seeded glorot-scaled kernels and small non-zero
 * biases (so a dropped bias would show), then returns its weights the way a
 * user would take them: getWeights() -> dataSync().
 */
export function seedTfWeights(model: tfl.Sequential, seed: number): Float32Array[] {
  const tensors = model.getWeights().map((w, i) => {
    const shape = w.shape;
    const size = w.size;
    if (shape.length === 1) return tf.tensor(uniform(size, seed + i, 0.1), shape);
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (receptive * (shape[shape.length - 2]! + shape[shape.length - 1]!)));
    return tf.tensor(uniform(size, seed + i, limit), shape);
  });
  model.setWeights(tensors);
  tensors.forEach((t) => t.dispose());
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

/** tfjs forward pass on a flat batch. */
export function tfPredict(model: tfl.Sequential, x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync() as Float32Array);
}

/** Max |ours - want| over the largest |want|: the graph suites' measure of parity. */
export function relativeError(ours: Float32Array, want: Float32Array): number {
  expect(ours.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - want[i]!));
  return worst / scale;
}

/** Max |a - b|; fails with the worst index when above the tolerance. */
export function expectParity(ours: Float32Array, theirs: Float32Array): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(ours[i]! - theirs[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `max |diff| ${worst} at ${at}: ours ${ours[at]} vs tfjs ${theirs[at]}`).toBeLessThanOrEqual(MODEL_PARITY_ABS);
  return worst;
}

/** Runs one architecture on one backend: same weights, same input, compare. */
export function compareModels(ours: Sequential, theirs: tfl.Sequential, batch: number, seed: number): number {
  ours.setWeights(seedTfWeights(theirs, seed));
  const inputShape = ours.inputShape;
  const x = uniform(batch * inputShape.reduce((a, b) => a * b, 1), seed + 1000);
  expect(ours.outputShape).toEqual(theirs.outputs[0]!.shape.slice(1));
  return expectParity(ours.predict(x).toArray(), tfPredict(theirs, x, [batch, ...inputShape]));
}
