// Names that differ between simdcnn and Keras JSON: activation strings and
// initializer class names, both directions.

import type { ActivationName, ParsedActivation } from "../layers/activations.js";
import type { InitializerName } from "../layers/init.js";
import { describeJson, fail, isObject, own, readString } from "./json-read.js";

/** Keras activation string -> ours. */
const ACTIVATIONS_FROM_KERAS: Readonly<Record<string, ActivationName>> = {
  linear: "linear", relu: "relu", sigmoid: "sigmoid", tanh: "tanh", softmax: "softmax", relu6: "relu6", elu: "elu",
  // 0.2 x + 0.5: tfjs-layers' name, and 'hard_sigmoid' as tfjs writes it and Keras 2 meant it
  // (Keras 3 made 'hard_sigmoid' x / 6 + 0.5: refused in a Keras 3 file, see activationFromKeras).
  hardSigmoid: "hardSigmoid", hard_sigmoid: "hardSigmoid",
  // Keras 3's `activation="leaky_relu"` (keras.activations.leaky_relu, negative_slope 0.2).
  leaky_relu: "leakyRelu",
  // x sigmoid(x): 'swish' in tfjs and Keras 2, 'silu' as Keras 3 writes it.
  swish: "swish", silu: "swish",
};

/** Keras 3's default slope for the `leaky_relu` activation string. */
const KERAS_LEAKY_RELU_ACTIVATION_SLOPE = 0.2;

/**
 * Our activation for a Keras `activation` value (a string, or Keras 3's
 * serialized function `{ class_name: "function", config: "relu" }`).
 * `keras3`: the layer comes from Keras 3, whose 'hard_sigmoid' is x / 6 + 0.5.
 */
export function activationFromKeras(value: unknown, path: string, keras3 = false): { activation: ActivationName; alpha?: number } {
  if (value === undefined || value === null) return { activation: "linear" };
  let name: unknown = value;
  if (isObject(value)) name = own(value, "config") ?? own(value, "class_name");
  const s = readString(name, path);
  if (keras3 && s === "hard_sigmoid") {
    fail(path, "Keras 3's hard_sigmoid (x / 6 + 0.5) is not supported: simdcnn's hardSigmoid is tfjs' and Keras 2's 0.2 x + 0.5");
  }
  const ours = Object.prototype.hasOwnProperty.call(ACTIVATIONS_FROM_KERAS, s) ? ACTIVATIONS_FROM_KERAS[s] : undefined;
  if (ours === undefined) {
    fail(path, `activation ${describeJson(s)} is not supported (supported: ${Object.keys(ACTIVATIONS_FROM_KERAS).join(", ")})`);
  }
  return ours === "leakyRelu" ? { activation: ours, alpha: KERAS_LEAKY_RELU_ACTIVATION_SLOPE } : { activation: ours };
}

/**
 * The Keras activation string for one of ours. leakyRelu has no Keras string
 * that keeps its slope (Keras 3's `leaky_relu` fixes 0.2, tfjs has none), so
 * a layer ending in leakyRelu is saved as a linear layer followed by a
 * LeakyReLU layer: `followedBy` carries that layer's slope.
 */
export function activationToKeras(a: ParsedActivation): { activation: string; leakyAlpha?: number } {
  if (a.name === "leakyRelu") return { activation: "linear", leakyAlpha: a.alpha };
  return { activation: a.name };
}

/** Our initializer -> Keras class name. */
const INITIALIZERS_TO_KERAS: Readonly<Record<InitializerName, string>> = {
  glorotUniform: "GlorotUniform", glorotNormal: "GlorotNormal", heUniform: "HeUniform", heNormal: "HeNormal",
  lecunUniform: "LecunUniform", lecunNormal: "LecunNormal", zeros: "Zeros", ones: "Ones",
};

/**
 * A Keras initializer object for one of ours: `{ class_name: "GlorotUniform",
 * config: { seed: null } }`. TensorFlow.js spells the LeCun ones `LeCun...`
 * and cannot read Keras' `Lecun...`, so those two are written as the
 * `VarianceScaling` they are, which both read.
 */
export function initializerToKeras(name: InitializerName): { class_name: string; config: Record<string, unknown> } {
  if (name === "lecunUniform" || name === "lecunNormal") {
    return {
      class_name: "VarianceScaling",
      config: { scale: 1, mode: "fan_in", distribution: name === "lecunUniform" ? "uniform" : "normal", seed: null },
    };
  }
  return { class_name: INITIALIZERS_TO_KERAS[name], config: name === "zeros" || name === "ones" ? {} : { seed: null } };
}

/**
 * Our initializer for a Keras one (class name, snake_case string, or
 * `VarianceScaling` with the parameters of one we know). Anything else gives
 * `fallback`: a loaded model's weights come from the file, so the
 * initializer only matters if it is retrained from scratch.
 */
export function initializerFromKeras(value: unknown, fallback: InitializerName): InitializerName {
  let className: unknown = value;
  let config: unknown;
  if (isObject(value)) [className, config] = [own(value, "class_name"), own(value, "config")];
  if (typeof className !== "string") return fallback;
  const key = className.replace(/_/g, "").toLowerCase();
  for (const ours of Object.keys(INITIALIZERS_TO_KERAS) as InitializerName[]) {
    if (ours.toLowerCase() === key) return ours;
  }
  if (key === "variancescaling" && isObject(config)) {
    const [scale, mode, dist] = [own(config, "scale"), own(config, "mode"), own(config, "distribution")];
    const family = scale === 1 && mode === "fan_avg" ? "glorot" : scale === 2 && mode === "fan_in" ? "he"
      : scale === 1 && mode === "fan_in" ? "lecun" : null;
    if (family !== null && typeof dist === "string") return `${family}${dist === "uniform" ? "Uniform" : "Normal"}` as InitializerName;
  }
  return fallback;
}
