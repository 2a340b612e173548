// fit's options, checked, and the validation split: what Model.fit does
// before its first await. The loop itself (fit-loop.ts) is imported then,
// on first use, so a page that only predicts does not download it.

import { ConfigError } from "../errors.js";
import { checkConfigKeys, configKeys } from "../layers/config-keys.js";
import { parseSeed } from "../layers/init.js";
import { isPositiveInt } from "../shape.js";
import type { Dataset, LabelInput, TrainInput } from "./trainer.js";

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
export interface FitSettings {
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
