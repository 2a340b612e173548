// Unknown-option checks for layer and optimizer configs. A config is a plain
// object, so a misspelled key (`kernel_size`, `activaton`) used to be silently
// ignored and the layer built with the default. Every constructor now checks
// its keys first against one list kept next to its config interface, and the
// message suggests the key that was meant: the camelCase form of a snake_case
// (Python Keras) key, a case-insensitive match, or the closest key by edit
// distance, the way a compiler suggests a misspelled identifier. Keras options
// we do not implement get a short reason instead of a wrong suggestion.

import { ConfigError } from "../errors.js";

/**
 * The keys of config type `C` that a list leaves out (`never` when it lists them all).
 * @internal
 */
export type MissingKeys<C, K extends readonly PropertyKey[]> = Exclude<keyof C, K[number]>;

/**
 * The one list of accepted keys of config type `C`, checked at compile time in
 * both directions: every listed key is a key of `C`, and every key of `C` is
 * listed (so the list and the interface cannot drift apart). Curried so that
 * `C` is given and the list's own type is inferred.
 * @example
 * export const DROPOUT_KEYS = configKeys<DropoutConfig>()(["rate", "name", "seed"]);
 * @throws never
 * @internal
 */
export function configKeys<C extends object>() {
  return <const K extends readonly (keyof C & string)[]>(
    keys: K & ([MissingKeys<C, K>] extends [never] ? unknown : { "config keys not listed": MissingKeys<C, K> }),
  ): K => keys;
}

/**
 * Options of Keras / tfjs-layers (camelCase) that simdcnn does not support,
 * each with why or what to do instead. A user coming from Keras will pass
 * these; suggesting the nearest accepted key would point the wrong way.
 * @internal
 */
export const UNSUPPORTED_KERAS_KEYS: Readonly<Record<string, string>> = {
  inputShape: "give the input shape to the model: new Sequential(layers, { inputShape }) or input({ shape })",
  batchInputShape: "give the input shape to the model: new Sequential(layers, { inputShape }); the batch size is free",
  inputDim: "give the input shape to the model: new Sequential(layers, { inputShape: [inputDim] })",
  batchSize: "layers take any batch size; give the input shape to the model",
  dtype: "simdcnn computes in float32 only",
  trainable: "freezing layers is not supported; every layer trains",
  weights: "set weights once the model is built: model.setWeights(...)",
  dilationRate: "dilated convolutions are Conv2D's and DepthwiseConv2D's option only",
  groups: "grouped convolutions are not implemented",
  outputPadding: "output padding is Conv2DTranspose's option only",
  dataFormat: "tensors are channels-last (NHWC) only",
  kernelRegularizer: "regularizers are not implemented",
  biasRegularizer: "regularizers are not implemented",
  activityRegularizer: "regularizers are not implemented",
  kernelConstraint: "weight constraints are not implemented",
  biasConstraint: "weight constraints are not implemented",
  noiseShape: "dropout masks are drawn per element only",
  keepdims: "global pooling always outputs [channels]",
  axis: "softmax is always over the last axis (channels)",
  maxValue: "a cap is ReLU's option: new ReLU({ maxValue }), or activation 'relu6'",
  threshold: "thresholded ReLU is not implemented",
  negativeSlope: "a slope is ReLU's option (new ReLU({ negativeSlope })) or LeakyReLU's (alpha)",
  nesterov: "Nesterov momentum is not implemented",
  amsgrad: "AMSGrad is not implemented",
  decay: "learning-rate decay is not implemented; set optimizer.learningRate from a callback",
  weightDecay: "weight decay is not implemented",
  clipnorm: "gradient clipping is not implemented",
  clipvalue: "gradient clipping is not implemented",
  globalClipnorm: "gradient clipping is not implemented",
  useEma: "weight moving averages are not implemented",
  lr: "the old Keras name of learningRate, which optimizers take instead",
};

/**
 * Other names Keras uses for one of our options, tried when the target is an
 * accepted key: Keras 3's LeakyReLU calls `alpha` `negative_slope`, old Keras
 * optimizers took `lr`.
 */
const KERAS_ALIASES: Readonly<Record<string, string>> = {
  negativeSlope: "alpha",
  lr: "learningRate",
};

/**
 * `kernel_size` -> `kernelSize`, `beta_1` -> `beta1`; other keys unchanged.
 * @internal
 */
export function snakeToCamel(key: string): string {
  return key.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Edit distance with adjacent transpositions counting one (optimal string
 * alignment), so `filtres` is 1 from `filters` like `filter` is.
 * @internal
 */
export function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the usual dynamic-programming table.
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length]!;
}

/** How far a key may be from an accepted one to be suggested: 1 edit per 3 letters, at least 1. */
function closeEnough(known: string): number {
  return Math.max(1, Math.floor(known.length / 3));
}

/** The form two keys are compared in: camelCase, then lower case (`Kernel_Size` ~ `kernelSize`). */
function normalize(key: string): string {
  return snakeToCamel(key).toLowerCase();
}

/** What the message should say about one unknown key. @internal */
export type KeyAdvice =
  | { kind: "suggest"; key: string }
  | { kind: "unsupported"; key: string; reason: string }
  | { kind: "none" };

/**
 * What to tell a user who passed `key`, which is not in `known`: in order, the
 * camelCase form of a snake_case key, a match ignoring case and underscores,
 * the accepted option Keras calls by another name, a Keras option we do not
 * support (with the reason), the closest accepted key within a small edit
 * distance, else nothing.
 * @example
 * adviseKey("kernel_size", ["filters", "kernelSize"]); // { kind: "suggest", key: "kernelSize" }
 * adviseKey("dilationRate", ["filters", "kernelSize"]); // { kind: "unsupported", key: "dilationRate", reason: ... }
 * @throws never
 * @internal
 */
export function adviseKey(key: string, known: readonly string[]): KeyAdvice {
  const camel = snakeToCamel(key);
  if (known.includes(camel)) return { kind: "suggest", key: camel };
  const norm = normalize(key);
  const sameLetters = known.find((k) => k.toLowerCase() === norm);
  if (sameLetters !== undefined) return { kind: "suggest", key: sameLetters };
  const keras = Object.keys(UNSUPPORTED_KERAS_KEYS).find((k) => k.toLowerCase() === norm);
  if (keras !== undefined) {
    const alias = KERAS_ALIASES[keras];
    if (alias !== undefined && known.includes(alias)) return { kind: "suggest", key: alias };
    return { kind: "unsupported", key: keras, reason: UNSUPPORTED_KERAS_KEYS[keras]! };
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(norm, k.toLowerCase());
    if (d <= closeEnough(k) && d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best === undefined ? { kind: "none" } : { kind: "suggest", key: best };
}

/** A value as a message shows it (`null`, `42`, `"conv"`, `an array`). */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  return String(value);
}

/**
 * Throws a {@link ConfigError} when `config` has a key (with a value other
 * than `undefined`) that is not in `known`. The message names `where`, the
 * unknown key, a suggestion (see {@link adviseKey}) and the accepted keys.
 * An `undefined` config passes (constructors with a required config check
 * that themselves); anything else that is not a plain object throws. Call it
 * first in a constructor, before the config is read.
 * @example
 * checkConfigKeys({ filters: 8, kernel_size: 5 }, CONV2D_KEYS, "Conv2D");
 * // ConfigError: Conv2D: unknown option 'kernel_size'; did you mean 'kernelSize'? (accepted: filters, kernelSize, ...)
 * @throws {ConfigError} for an unknown key, or a config that is not an object.
 * @internal (for the library's constructors and option readers; not re-exported)
 */
export function checkConfigKeys(config: unknown, known: readonly string[], where: string): void {
  if (config === undefined) return;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`${where}: the config must be an object of options, got ${describeValue(config)}`);
  }
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || known.includes(key)) continue;
    const accepted = `(accepted: ${known.join(", ")})`;
    const advice = adviseKey(key, known);
    let hint = "";
    if (advice.kind === "suggest") hint = `; did you mean '${advice.key}'?`;
    else if (advice.kind === "unsupported") {
      hint = `; ${advice.key === key ? "this Keras option" : `Keras' '${advice.key}'`} is not supported: ${advice.reason}`;
    }
    throw new ConfigError(`${where}: unknown option '${key}'${hint} ${accepted}`);
  }
}
