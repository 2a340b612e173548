// simdcnn training contestants, one per backend, through the public API
// exactly as a user trains: init({ backend }), a Sequential from the layer
// list, compile({ optimizer: new SGD(...), loss }) and trainOnBatch(x, y)
// with Float32Arrays (so each step also copies the batch in).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LEARNING_RATE } from "./train-workloads.mjs";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

const LABELS = { "relaxed-simd": "simdcnn relaxed", simd: "simdcnn simd", scalar: "simdcnn scalar", js: "simdcnn js" };
const IDS = { "relaxed-simd": "relaxed", simd: "simd", scalar: "scalar", js: "js" };

/** The public API from dist/, or an error naming what is missing. */
async function loadTrainingApi() {
  if (!existsSync(DIST)) return { error: "n/a (dist/index.js missing: run npm run build)" };
  let api;
  try {
    api = await import("simdcnn");
  } catch (e) {
    return { error: `n/a (import("simdcnn") failed: ${e.message})` };
  }
  const proto = api.Sequential?.prototype;
  if (typeof proto?.compile !== "function" || typeof proto?.trainOnBatch !== "function" || typeof api.SGD !== "function") {
    return { error: "n/a (training API not built)" };
  }
  return { api };
}

function buildModel(api, spec) {
  const layers = spec.layers.map((l) => {
    switch (l.type) {
      case "conv":
        return new api.Conv2D({ filters: l.filters, kernelSize: l.kernel, strides: 1, padding: l.padding, activation: l.activation });
      case "maxpool":
        return new api.MaxPool2D({ poolSize: l.pool });
      case "flatten":
        return new api.Flatten();
      case "dense":
        return new api.Dense({ units: l.units, activation: l.activation });
      default:
        throw new Error(`bench: unknown layer ${l.type}`);
    }
  });
  return new api.Sequential(layers, { inputShape: spec.inputShape });
}

/** One simdcnn training contestant; `variant` is a backend name of init(). */
export function simdcnnTrainer(variant) {
  let api = null;
  let unavailable = null;
  return {
    id: IDS[variant],
    label: LABELS[variant],
    group: "simdcnn",
    checkable: true,
    async setup() {
      const loaded = await loadTrainingApi();
      if (loaded.error) {
        unavailable = loaded.error;
        return unavailable;
      }
      api = loaded.api;
      try {
        await api.init({ backend: variant, nodeRelaxedSimdFlag: true });
      } catch (e) {
        unavailable = `n/a (init({ backend: "${variant}" }) failed: ${e.message})`;
        return unavailable;
      }
      return `init -> backend '${api.capabilities().backend}'; compile + trainOnBatch`;
    },
    supports() {
      return unavailable ?? true;
    },
    async prepare(wl, data) {
      // init() switches the global backend and retires models built before.
      await api.init({ backend: variant, nodeRelaxedSimdFlag: true });
      const model = buildModel(api, wl.spec);
      model.setWeights(data.weights);
      model.compile({ optimizer: new api.SGD({ learningRate: LEARNING_RATE }), loss: "categoricalCrossentropy" });
      const { x, oneHot } = data;
      return {
        step: () => model.trainOnBatch(x, oneHot),
        weights: () => model.getWeights().map((w) => Float32Array.from(w)),
        dispose: () => model.dispose?.(),
      };
    },
  };
}
