// The fit loop: epochs of shuffled mini-batches, validation at the end of
// each epoch, callbacks, and a yield to the event loop after every batch so
// a page stays responsive and a callback can set `model.stopTraining`.
// Shuffling is seeded (default seed 0), so the same model, data and options
// train the same way every run on the same binary.

import { ConfigError } from "../errors.js";
import { checkConfigKeys, configKeys } from "../layers/config-keys.js";
import { parseSeed } from "../layers/init.js";
import { mulberry32 } from "../random.js";
import { isPositiveInt } from "../shape.js";
import { emptyTotals, type Dataset, type LabelInput, type Trainer, type TrainInput } from "./trainer.js";

/** Metrics of one batch, passed to `onBatchEnd`. */
export interface BatchLogs {
  /** Mean loss of the batch (before its update). */
  loss: number;
  /** Accuracy of the batch (when the metric is on). */
  accuracy?: number;
  /** Samples in the batch. */
  size: number;
}

/** Metrics of one epoch, passed to `onEpochEnd`. */
export interface EpochLogs {
  /** Mean training loss over the epoch's batches. */
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** Options of `Sequential.fit` (tfjs-layers names). */
export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples per optimizer step (default 32). */
  batchSize?: number;
  /** Shuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling, an integer in [0, 2^32) (default 0). */
  seed?: number;
  /** Data to evaluate after each epoch: [x, labels] (x an array of inputs for a model with several). */
  validationData?: [TrainInput | TrainInput[], LabelInput];
  /** Fraction in [0, 1) of the samples (the LAST ones, before shuffling, as Keras) held out for validation. */
  validationSplit?: number;
  /** Called after every batch with its 0-based index in the epoch. May return a promise (awaited). */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  /** Called after every epoch with its 0-based index. May return a promise (awaited). */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/** What `fit` returns: one entry per finished epoch (empty arrays for metrics not computed). */
export interface History {
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
}

const FIT_KEYS = configKeys<FitOptions>()(
  ["epochs", "batchSize", "shuffle", "seed", "validationData", "validationSplit", "onBatchEnd", "onEpochEnd"]);

/** The checked fit options. */
interface FitSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  validationSplit: number;
}

/** Validates the fit options. @throws {ConfigError} */
export function fitSettings(options: FitOptions, where: string): FitSettings {
  if (typeof options !== "object" || options === null) throw new ConfigError(`${where}: options must be an object`);
  checkConfigKeys(options, FIT_KEYS, where);
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!isPositiveInt(epochs)) throw new ConfigError(`${where}: epochs must be a positive integer, got ${JSON.stringify(epochs)}`);
  if (!isPositiveInt(batchSize)) {
    throw new ConfigError(`${where}: batchSize must be a positive integer (>= 1), got ${JSON.stringify(batchSize)}`);
  }
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== "boolean") throw new ConfigError(`${where}: shuffle must be a boolean, got ${JSON.stringify(shuffle)}`);
  const validationSplit = options.validationSplit ?? 0;
  if (typeof validationSplit !== "number" || !(validationSplit >= 0 && validationSplit < 1)) {
    throw new ConfigError(`${where}: validationSplit must be a number in [0, 1), got ${JSON.stringify(validationSplit)}`);
  }
  if (validationSplit > 0 && options.validationData !== undefined) {
    throw new ConfigError(`${where}: give validationData or validationSplit, not both`);
  }
  for (const name of ["onBatchEnd", "onEpochEnd"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      throw new ConfigError(`${where}: ${name} must be a function`);
    }
  }
  return { epochs, batchSize, shuffle, seed: parseSeed(options.seed, where) ?? 0, validationSplit };
}

/** Splits off the last `fraction` of the samples (Keras' validationSplit). */
export function splitTail(data: Dataset, fraction: number, where: string): [Dataset, Dataset] {
  const trainCount = Math.floor(data.count * (1 - fraction));
  if (trainCount < 1 || trainCount === data.count) {
    throw new ConfigError(`${where}: validationSplit ${fraction} of ${data.count} samples leaves ` +
      `${trainCount} for training and ${data.count - trainCount} for validation; both need at least one`);
  }
  const lper = data.labels.length / data.count;
  const part = (from: number, to: number): Dataset => ({
    xs: data.xs.map((x) => {
      const per = x.length / data.count;
      return x.subarray(from * per, to * per);
    }),
    labels: data.labels.subarray(from * lper, to * lper), count: to - from,
  });
  return [part(0, trainCount), part(trainCount, data.count)];
}

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
