// The training half of a model file, as tfjs-layers writes it with
// `save(..., { includeOptimizer: true })`: model.json's `trainingConfig`
// (getTrainingConfig: snake_case loss and metrics, the optimizer's class
// and getConfig()) and the weights of group "optimizer" after the model's
// (tfjs-core's Optimizer.getWeights: `iter` as an int32 scalar, then
// Adam's first moments for every trainable weight and then its second
// moments, or Momentum's velocities). tfjs matches those by position, so
// the names (`<layer>/<weight>/m`) are for people; the order is the
// trainable weights' order, which is tfjs' for the same layers.
//
// Our SGD with momentum is tf.train.momentum, class "Momentum" in tfjs, so
// that is what is written; on reading, Keras' "SGD" with a momentum is
// taken too. The step count and the buffers come back as they were, so a
// reloaded model's next step is bit-for-bit the uninterrupted one.

import { ModelFormatError } from "../errors.js";
import type { CompileOptions } from "../train/compile.js";
import type { Trainer } from "../train/trainer.js";
import { Adam } from "../train/adam.js";
import type { Optimizer } from "../train/optimizer.js";
import { SGD } from "../train/sgd.js";
import type { WeightSpec } from "./format.js";
import { describeJson, fail, isObject, own, readArray, readObject, readString } from "./json-read.js";
import { decodeEntry, type ManifestEntry } from "./weights-manifest.js";

/** model.json's `trainingConfig` (tfjs-layers' TrainingConfig). */
export interface TrainingConfig {
  loss: string;
  metrics: string[];
  optimizer_config: { class_name: string; config: Record<string, number | boolean> };
}

const SNAKE: Record<string, string> = {
  categoricalCrossentropy: "categorical_crossentropy",
  sparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
  binaryCrossentropy: "binary_crossentropy",
  meanSquaredError: "mean_squared_error",
};

function optimizerConfig(o: Optimizer): TrainingConfig["optimizer_config"] {
  if (o instanceof Adam) {
    return { class_name: "Adam", config: { learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon } };
  }
  if (o instanceof SGD && o.momentum > 0) {
    return { class_name: "Momentum", config: { learningRate: o.learningRate, momentum: o.momentum, useNesterov: false } };
  }
  return { class_name: "SGD", config: { learningRate: o.learningRate } };
}

/** What save reads of a compiled model: Model.save hands over a copy taken when it was called. */
export type SavedTrainer = Pick<Trainer, "loss" | "accuracy" | "optimizer" | "exportState">;

/** What tfjs-layers' getTrainingConfig writes for this compile. */
export function trainingConfigOf(trainer: SavedTrainer): TrainingConfig {
  return {
    loss: SNAKE[trainer.loss.name] ?? trainer.loss.name,
    metrics: trainer.accuracy ? ["accuracy"] : [],
    optimizer_config: optimizerConfig(trainer.optimizer),
  };
}

/** The suffix tfjs gives a state slot's variables. */
function slotNames(o: Optimizer): string[] {
  return o instanceof Adam ? ["m", "v"] : o.slots > 0 ? ["momentum"] : [];
}

/** The "optimizer" weight group: specs and little-endian bytes (iter as int32, then the slots). */
export function optimizerWeights(trainer: SavedTrainer): { specs: WeightSpec[]; bytes: Uint8Array } {
  const state = trainer.exportState();
  const names = slotNames(trainer.optimizer);
  const specs: WeightSpec[] = [{ name: "iter", shape: [], dtype: "int32", group: "optimizer" }];
  let floats = 0;
  state.slots.forEach((arrays, k) => arrays.forEach((a) => {
    specs.push({ name: `${a.name}/${names[k]}`, shape: [...a.shape], dtype: "float32", group: "optimizer" });
    floats += a.values.length;
  }));
  const bytes = new Uint8Array(4 + floats * 4);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, state.iterations, true);
  let at = 4;
  for (const arrays of state.slots) {
    for (const a of arrays) for (let i = 0; i < a.values.length; i++, at += 4) view.setFloat32(at, a.values[i]!, true);
  }
  return { specs, bytes };
}

/** Reads a number from the first key of `keys` present (tfjs' camelCase, Keras' snake_case). */
function configNumber(config: Record<string, unknown>, keys: string[], path: string): number | undefined {
  for (const key of keys) {
    const v = own(config, key);
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isFinite(v)) fail(`${path}.${key}`, `expected a number, got ${describeJson(v)}`);
    return v;
  }
  return undefined;
}

function readOptimizer(value: unknown, path: string): Optimizer {
  const o = readObject(value, path);
  const className = readString(own(o, "class_name"), `${path}.class_name`);
  const cp = `${path}.config`;
  const config = own(o, "config") === undefined ? {} : readObject(own(o, "config"), cp);
  const lr = configNumber(config, ["learningRate", "learning_rate", "lr"], cp);
  try {
    switch (className) {
      case "Adam": case "adam": return new Adam({
        learningRate: lr,
        beta1: configNumber(config, ["beta1", "beta_1"], cp),
        beta2: configNumber(config, ["beta2", "beta_2"], cp),
        epsilon: configNumber(config, ["epsilon"], cp),
      });
      case "Momentum": case "SGD": case "sgd": {
        if (own(config, "useNesterov") === true || own(config, "nesterov") === true) {
          fail(cp, "Nesterov momentum is not supported");
        }
        return new SGD({ learningRate: lr, momentum: configNumber(config, ["momentum"], cp) });
      }
      default:
        return fail(`${path}.class_name`, `optimizer ${JSON.stringify(className)} is not supported (SGD, Momentum and Adam are)`);
    }
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    return fail(cp, (e as Error).message);
  }
}

/** model.json's trainingConfig as compile options. */
export function readTrainingConfig(value: unknown, path: string): CompileOptions {
  const t = readObject(value, path);
  for (const key of ["loss_weights", "weighted_metrics", "sample_weight_mode"]) {
    const v = own(t, key);
    if (v !== undefined && v !== null) fail(`${path}.${key}`, "is not supported");
  }
  let loss = own(t, "loss");
  if (Array.isArray(loss) && loss.length === 1) loss = loss[0];
  else if (isObject(loss) && Object.keys(loss).length === 1) loss = loss[Object.keys(loss)[0]!];
  if (typeof loss !== "string") fail(`${path}.loss`, `expected one loss name, got ${describeJson(loss)}`);
  let metrics: unknown = own(t, "metrics");
  if (isObject(metrics)) metrics = Object.values(metrics).flat();
  const names = metrics === undefined || metrics === null ? [] : readArray(metrics, `${path}.metrics`);
  const accuracy = names.filter((m) => m === "accuracy" || m === "acc");
  return {
    optimizer: readOptimizer(own(t, "optimizer_config"), `${path}.optimizer_config`),
    loss: loss as CompileOptions["loss"],
    metrics: accuracy.length > 0 ? ["accuracy"] : [],
  };
}

/**
 * Puts the "optimizer" weights back into a freshly compiled trainer. tfjs'
 * layout: `iter`, then `slots` runs of one array per trainable weight. An
 * optimizer that never stepped may have written `iter` alone.
 */
export function restoreOptimizer(trainer: Trainer, entries: readonly ManifestEntry[], bytes: Uint8Array): void {
  if (entries.length === 0) return;
  const params = trainer.stateParams();
  const slots = trainer.optimizer.slots;
  const first = entries[0]!;
  if (first.size !== 1) fail(`${first.path}`, `the optimizer's first weight must be its step count (a scalar), got ${first.name} [${first.shape.join(",")}]`);
  const iter = decodeEntry(bytes, first)[0]!;
  if (!Number.isInteger(iter) || iter < 0) fail(first.path, `step count ${iter} is not a non-negative integer`);
  const rest = entries.slice(1);
  if (rest.length === 0) {
    trainer.importState(iter, []);
    return;
  }
  if (rest.length !== slots * params.length) {
    fail(first.path.replace(/\.weights\[\d+\]$/, ""), `holds ${rest.length} optimizer state arrays after the step count; ` +
      `${trainer.optimizer.className} keeps ${slots} per trainable weight, ${slots * params.length} for this model`);
  }
  const arrays: Float32Array[][] = [];
  for (let k = 0; k < slots; k++) {
    arrays.push(params.map((p, i) => {
      const e = rest[k * params.length + i]!;
      if (e.shape.length !== p.shape.length || e.shape.some((d, j) => d !== p.shape[j])) {
        fail(`${e.path}.shape`, `${e.name} has shape [${e.shape.join(",")}], but the optimizer state of ${p.name} ` +
          `has [${p.shape.join(",")}]`);
      }
      const v = decodeEntry(bytes, e);
      const bad = v.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) fail(e.path, `${e.name} holds ${v[bad]} at index ${bad}`);
      return v;
    }));
  }
  trainer.importState(iter, arrays);
}
