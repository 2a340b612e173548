// What training needs beyond predict, loaded when a page first compiles a
// model: the Trainer (src/train/trainer.ts, a chunk of its own in the
// browser build) and the training half of the split wasm build. A page
// fetches the inference binary (<build>-inference.wasm) at init() and the
// training half (<build>-training.wasm) here, so a page that only predicts
// downloads neither. The half is instantiated over the inference binary's
// memory (attachTrainingHalf, wasm.ts), after which the same `Kernels`
// object has every method. The Node and edge entries hand the Trainer in
// up front and load whole binaries, so compile() finishes at once there.
import { BackendError, messageOf } from "../errors.js";
import type { Backend } from "./registry.js";
import { attachTrainingHalf, type WasmSource, type WasmVariant } from "./wasm.js";

type TrainerModule = typeof import("../train/trainer.js");

/** Fetches the training half of `variant`; set by the browser and Node entries. */
export type TrainingLoader = (variant: WasmVariant) => Promise<WasmSource>;

let loader: TrainingLoader | null = null;
let trainer: TrainerModule | null = null;
const loads = new WeakMap<Backend, Promise<TrainerModule>>();

/** Tells prepareTraining() where the training halves come from. */
export function setTrainingLoader(load: TrainingLoader | null): void {
  loader = load;
}

/** The Node and edge entries import the Trainer statically, so their compile() is synchronous. */
export function setTrainerModule(module: TrainerModule): void {
  trainer = module;
}

/** The Trainer, when `backend` can train right now; else null (prepareTraining gets it). */
export function loadedTrainer(backend: Backend): TrainerModule | null {
  return backend.kernels.trainable ? trainer : null;
}

/**
 * Resolves with the Trainer once `backend` can train: after importing it
 * and loading the training half as needed (once per backend; a failed load
 * is tried again by the next call).
 * @throws {BackendError} (rejects) when either cannot be loaded.
 */
export function prepareTraining(backend: Backend): Promise<TrainerModule> {
  let load = loads.get(backend);
  if (load === undefined) {
    load = Promise.all([
      trainer ?? import("../train/trainer.js").then((m) => (trainer = m)),
      backend.kernels.trainable ? null : loadHalf(backend),
    ]).then(([m]) => m).catch((e: unknown) => {
      loads.delete(backend);
      throw e instanceof BackendError ? e : new BackendError(
        `compile: could not load the training code of the '${backend.kernels.name}' backend: ${messageOf(e)}`);
    });
    loads.set(backend, load);
  }
  return load;
}

async function loadHalf(backend: Backend): Promise<void> {
  const { kernels, arena } = backend;
  if (loader === null || kernels.name === "js") {
    throw new BackendError(`compile: the '${kernels.name}' wasm binary passed to init() has no training kernels ` +
      `and this entry point cannot fetch them; pass the whole wasm/${kernels.name}.wasm to train`);
  }
  await attachTrainingHalf(kernels, await loader(kernels.name), (bytes) => arena.alloc(bytes / 4));
}
