// The typed errors of simdcnn. Every user-facing check in src/ throws one of
// these (kernels never validate), and every message names the layer or
// object, what was expected and what came — the habit ky's HTTPError taught:
// a base class with `name` set so `instanceof` and logs both work.

/**
 * Base class of every error simdcnn throws on purpose. Catch it to handle
 * any library error; check the subclass for the kind.
 * @example
 * try { model.predict(x); } catch (e) { if (e instanceof CnnError) console.warn(e.name, e.message); }
 * @throws never (it is what gets thrown)
 */
export class CnnError extends Error {
  constructor(message: string) {
    super(message);
    // `new.target` so subclasses get their own name without repeating this line.
    this.name = new.target.name;
  }
}

/**
 * A tensor or array has the wrong shape or length for the layer or model
 * that receives it, or a layer's output would be empty.
 * @example
 * // ShapeError: Sequential 'sequential_1': predict input has 100 floats, not a multiple of 784 (one [28,28,1] sample)
 * @throws never
 */
export class ShapeError extends CnnError {}

/**
 * A layer or model option is invalid (non-positive size, unknown activation,
 * wrong number of weight arrays, ...).
 * @example
 * new Conv2D({ filters: 0 }); // ConfigError: Conv2D: filters must be a positive integer, got 0
 * @throws never
 */
export class ConfigError extends CnnError {}

/**
 * A saved model (model.json / weights) is malformed or does not match the
 * architecture it describes.
 * @example
 * // ModelFormatError: weight 'dense_1/kernel' needs 48000 bytes, weights.bin has 1200 left
 * @throws never
 */
export class ModelFormatError extends CnnError {}

/**
 * The backend cannot be used: `init()` was not called, the requested wasm
 * variant is not supported here (the message names the fallback that would
 * work), or a model/tensor belongs to a backend that `init()` has replaced.
 * @example
 * // BackendError: simdcnn: no backend yet; call `await init()` first
 * @throws never
 */
export class BackendError extends CnnError {}

/**
 * The wasm linear memory could not grow to hold a requested buffer.
 * @example
 * // OutOfMemoryError: cannot allocate 4294967296 bytes ...
 * @throws never
 */
export class OutOfMemoryError extends CnnError {}

/**
 * Training produced a non-finite loss (NaN or Infinity).
 * @example
 * // TrainingDivergedError: loss became NaN at epoch 3, batch 17
 * @throws never
 */
export class TrainingDivergedError extends CnnError {}

/**
 * A model or tensor was used after `dispose()`, or a tensor returned by
 * `predict` was used after the model ran again (its buffer now holds newer
 * values; `toArray()` copies that survive).
 * @example
 * const y = model.predict(x); model.predict(x2);
 * y.toArray(); // DisposedError: Tensor [1,10] from Sequential 'sequential_1' is stale ...
 * @throws never
 */
export class DisposedError extends CnnError {}

/** The message of anything thrown (an Error's message, else its string form), for wrapping causes. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
