// The training-parity check shared by the suites: every weight tensor on
// its own, so a small tensor's error cannot hide behind a big tensor's move.
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { expect } from "vitest";
import type { LossName, Model, Optimizer, SymbolicTensor } from "simdcnn";
import { OPTIMIZER_PARITY_REL, UNMOVED_ABS } from "./tolerances.js";

/**
 * For each tensor i: max |ours_i - theirs_i| <= OPTIMIZER_PARITY_REL *
 * max |theirs_i - start_i| (how far tfjs moved that tensor). A tensor tfjs
 * did not move at all (a dead unit's bias) must stay within UNMOVED_ABS.
 * Returns the worst ratio, for logging.
 */
export function expectPerTensorParity(ours: Float32Array[], theirs: Float32Array[], start: Float32Array[],
                                      names: string[]): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  let movedAny = false;
  theirs.forEach((t, i) => {
    let moved = 0;
    let diff = 0;
    t.forEach((v, j) => {
      moved = Math.max(moved, Math.abs(v - start[i]![j]!));
      diff = Math.max(diff, Math.abs(v - ours[i]![j]!));
    });
    movedAny ||= moved > 0;
    const label = `${names[i]}: max |ours - tfjs| ${diff}, tfjs moved it ${moved}`;
    if (moved === 0) expect(diff, label).toBeLessThanOrEqual(UNMOVED_ABS);
    else {
      expect(diff / moved, label).toBeLessThanOrEqual(OPTIMIZER_PARITY_REL);
      worst = Math.max(worst, diff / moved);
    }
  });
  expect(movedAny).toBe(true);
  return worst;
}

/**
 * The training-parity run the suites share: from the weights `model` holds
 * (copied into `tfModel` beforehand), one epoch of `fit` on both sides with
 * the same batches (shuffle off), then expectPerTensorParity. Labels are
 * class indices for sparseCategoricalCrossentropy, else rows shaped like
 * the output. Returns the worst ratio.
 */
export async function fitBothAndCompare(model: Model<SymbolicTensor | SymbolicTensor[]>, tfModel: tfl.LayersModel, run: {
  x: Float32Array | Float32Array[]; labels: Float32Array; loss: LossName; ours: Optimizer; theirs: tf.Optimizer;
  batchSize: number;
}): Promise<number> {
  const start = model.getWeights();
  const xs = Array.isArray(run.x) ? run.x : [run.x];
  const samples = xs[0]!.length / model.inputs[0]!.shape.reduce((a, b) => a * b, 1);
  const labelShape = run.loss === "sparseCategoricalCrossentropy" ? [samples] : [samples, ...model.outputs[0]!.shape];
  tfModel.compile({ optimizer: run.theirs, loss: run.loss });
  const tfXs = xs.map((x, i) => tf.tensor(x, [samples, ...model.inputs[i]!.shape]));
  const ys = tf.tensor(run.labels, labelShape);
  await tfModel.fit(tfXs.length === 1 ? tfXs[0]! : tfXs, ys, { epochs: 1, batchSize: run.batchSize, shuffle: false, verbose: 0 });
  tfXs.forEach((t) => t.dispose());
  ys.dispose();
  // tfjs lists a layer's weights in the same Keras order; take them layer by layer, by name.
  const theirs = model.layers.flatMap((l) => (l.weights().length === 0 ? [] :
    tfModel.getLayer(l.name!).getWeights().map((w) => w.dataSync() as Float32Array)));
  model.compile({ optimizer: run.ours, loss: run.loss });
  await model.fit(run.x, run.labels, { epochs: 1, batchSize: run.batchSize, shuffle: false });
  const names = model.layers.flatMap((l) => l.weights().map((w) => `${l.name}/${w.name}`));
  return expectPerTensorParity(model.getWeights(), theirs, start, names);
}
