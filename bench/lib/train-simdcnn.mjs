// simdcnn training contestants, one per backend, through the public API
// exactly as a user trains: init({ backend }), a Sequential from the layer
// list (a functional Model for graph models), compile({ optimizer: new
// SGD(...), loss }) and trainOnBatch(x, y) with Float32Arrays (so each step
// also copies the batch in).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildModel, IDS, LABELS, loadWeights, readWeights } from "./simdcnn.mjs";
import { LEARNING_RATE } from "./train-workloads.mjs";

const DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

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
      loadWeights(model, wl.spec, data.weights);
      model.compile({ optimizer: new api.SGD({ learningRate: LEARNING_RATE }), loss: "categoricalCrossentropy" });
      const { x, oneHot } = data;
      return {
        step: () => model.trainOnBatch(x, oneHot),
        weights: () => readWeights(model, wl.spec),
        dispose: () => model.dispose?.(),
      };
    },
  };
}
