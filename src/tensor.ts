// Tensor: a shape plus a byte offset into the backend's arena. The values
// live in linear memory (where the kernels read them); `toArray()` copies
// them out into JS memory, and that copy survives anything the arena does.

import { getBackend, type Backend } from "./backend/registry.js";
import { DisposedError, ShapeError } from "./errors.js";
import { F32_BYTES } from "./memory.js";
import { formatShape, sizeOf } from "./shape.js";

/**
 * Whoever lends a buffer to view tensors (a model's planned output). It bumps
 * `generation` whenever the buffer's contents or location change (the next
 * predict, a re-plan, dispose), which makes older views stale.
 * @internal
 */
export interface ViewOwner {
  readonly generation: number;
  /** Names the owner in error messages, e.g. "Sequential 'sequential_1'". */
  readonly label: string;
}

/**
 * An n-dimensional float32 array (channels-last) stored in the backend's
 * linear memory. Create one with {@link tensor}; `Sequential.predict`
 * returns one.
 *
 * A tensor returned by `predict` is a view of the model's output buffer, not
 * a copy: it is valid until that model's next `predict` (or its re-plan or
 * dispose), after which using it throws `DisposedError` instead of quietly
 * returning newer values. Call `toArray()` to keep the values: the returned
 * Float32Array is a copy in JS memory and stays valid for good.
 * @example
 * const x = tensor(new Float32Array(28 * 28), [1, 28, 28, 1]);
 * const y = model.predict(x);
 * const probs = y.toArray(); // a copy: valid forever
 * x.dispose();
 * @throws see the methods.
 */
export class Tensor {
  /** Dimensions, batch first, channels last (frozen). */
  readonly shape: readonly number[];
  /** Number of elements (product of `shape`). */
  readonly size: number;
  /** @internal The backend whose memory holds the values. */
  readonly backend: Backend;
  /** @internal Byte offset of the first element in `backend.kernels.memory`. */
  readonly ptr: number;
  private readonly owner: ViewOwner | null;
  private readonly stamp: number;
  private disposed = false;

  /** @internal Use {@link tensor} (or `predict`) to make tensors. */
  constructor(backend: Backend, ptr: number, shape: readonly number[], owner: ViewOwner | null = null) {
    this.backend = backend;
    this.ptr = ptr;
    // A frozen shape cannot change under us, so it is kept rather than copied
    // (predict hands in the same frozen array call after call).
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.size = sizeOf(this.shape);
    this.owner = owner;
    this.stamp = owner?.generation ?? 0;
  }

  /** True after `dispose()`, and for a predict view once its model ran again (stale). */
  get isDisposed(): boolean {
    return this.disposed || (this.owner !== null && this.owner.generation !== this.stamp);
  }

  /**
   * Copies the values out of linear memory.
   * @example
   * const values = model.predict(x).toArray(); // Float32Array, length = batch * outputs
   * @throws {DisposedError} after `dispose()`, or for a stale predict view.
   */
  toArray(): Float32Array {
    this.assertUsable();
    const start = this.ptr / F32_BYTES;
    return this.backend.arena.f32().slice(start, start + this.size);
  }

  /**
   * Frees the tensor's memory (for a predict view: just retires the view; the
   * model keeps its buffer). Calling it twice is harmless.
   * @example
   * const x = tensor([1, 2, 3], [1, 3]); x.dispose(); x.isDisposed; // true
   * @throws never
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owner === null) this.backend.arena.free(this.ptr);
  }

  /** @internal Throws DisposedError unless the values are readable. */
  assertUsable(): void {
    if (this.disposed) {
      throw new DisposedError(`Tensor ${formatShape(this.shape)} was disposed; it can no longer be read`);
    }
    if (this.owner !== null && this.owner.generation !== this.stamp) {
      throw new DisposedError(`Tensor ${formatShape(this.shape)} returned by predict() of ${this.owner.label} ` +
        `is stale: the model has run (or was re-planned or disposed) since, and its output buffer now holds ` +
        `other values; call toArray() on a predict result to keep its values`);
    }
  }
}

/**
 * Makes a tensor in the current backend's memory, copying `data`.
 * @param data values in row-major (channels-last) order
 * @param shape dimensions; their product must equal `data.length`
 * @example
 * await init();
 * const x = tensor(new Float32Array(2 * 28 * 28), [2, 28, 28, 1]); // a batch of 2 images
 * @throws {ShapeError} when a dimension is not a non-negative integer or the
 *   product of `shape` differs from `data.length`.
 * @throws {BackendError} before `init()`.
 */
export function tensor(data: Float32Array | readonly number[], shape: readonly number[]): Tensor {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`tensor: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const size = sizeOf(shape);
  if (data.length !== size) {
    throw new ShapeError(`tensor: shape ${formatShape(shape)} holds ${size} values, but data has ${data.length}`);
  }
  const backend = getBackend();
  const ptr = backend.arena.alloc(size);
  backend.arena.f32().set(data, ptr / F32_BYTES);
  return new Tensor(backend, ptr, shape);
}
