// The fit loop: epochs of shuffled mini-batches, validation at the end of
// each epoch, callbacks, and a yield to the event loop after every batch so
// a page stays responsive and a callback can set `model.stopTraining`.
// Shuffling is seeded (default seed 0), so the same model, data and options
// train the same way every run on the same binary. Model.fit imports it on
// first use (docs/architecture.md, "The package").

import { mulberry32 } from "../random.js";
import type { BatchLogs, EpochLogs, FitOptions, FitSettings, History } from "./fit.js";
import { emptyTotals, type Dataset, type Trainer } from "./trainer.js";

/** Resolves on the next turn of the event loop (setImmediate in Node, a message elsewhere: no 4 ms clamp). */
export function nextTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === "function") return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === "function") {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Fisher-Yates with a seeded generator. */
function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
}

/**
 * Runs the epochs. `stopped()` is polled after every batch (and ends the
 * epoch as Keras does, validation and callbacks included); `disposed()` too,
 * and ends the fit at once: a model disposed from a callback has no
 * weights left to validate.
 * @throws {TrainingDivergedError} naming the epoch and batch of a non-finite loss.
 */
export async function fitLoop(trainer: Trainer, data: Dataset, validation: Dataset | null, s: FitSettings,
                              options: FitOptions, stopped: () => boolean, disposed: () => boolean): Promise<History> {
  const history: History = { loss: [], accuracy: [], valLoss: [], valAccuracy: [] };
  trainer.ensureCapacity(Math.min(s.batchSize, data.count));
  const order = new Int32Array(data.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const random = mulberry32(s.seed);
  const batches = Math.ceil(data.count / s.batchSize);
  for (let epoch = 0; epoch < s.epochs && !stopped() && !disposed(); epoch++) {
    if (s.shuffle) shuffleInPlace(order, random);
    const totals = emptyTotals();
    for (let b = 0; b < batches; b++) {
      const start = b * s.batchSize;
      const n = Math.min(s.batchSize, data.count - start);
      trainer.load(data, order, start, n);
      const before = { correct: totals.correct, total: totals.total };
      const loss = trainer.step(n, totals,
        () => `at epoch ${epoch + 1} of ${s.epochs}, batch ${b + 1} of ${batches}`);
      if (options.onBatchEnd !== undefined) {
        const logs: BatchLogs = { loss, size: n };
        if (trainer.accuracy) logs.accuracy = (totals.correct - before.correct) / Math.max(totals.total - before.total, 1);
        await options.onBatchEnd(b, logs);
      }
      await nextTurn();
      if (stopped() || disposed()) break;
    }
    if (disposed()) return history;
    const logs: EpochLogs = { loss: totals.lossSum / totals.samples };
    history.loss.push(logs.loss);
    if (trainer.accuracy) {
      logs.accuracy = totals.correct / Math.max(totals.total, 1);
      history.accuracy.push(logs.accuracy);
    }
    if (validation !== null) {
      const v = trainer.evaluate(validation, s.batchSize);
      logs.valLoss = v.loss;
      history.valLoss.push(v.loss);
      if (trainer.accuracy) {
        logs.valAccuracy = v.accuracy;
        history.valAccuracy.push(v.accuracy);
      }
    }
    if (options.onEpochEnd !== undefined) await options.onEpochEnd(epoch, logs);
  }
  return history;
}
