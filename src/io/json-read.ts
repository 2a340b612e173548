// Reading untrusted JSON (a model.json someone else wrote): every access goes
// through these helpers, which read own properties only (so `__proto__` or
// `constructor` keys are plain data and never reach a prototype), check the
// type, and name the place in the file when something is wrong
// (`modelTopology.config.layers[3].config.kernel_size: expected ...`).

import { ModelFormatError } from "../errors.js";

/** A parsed JSON object: string keys, unknown values. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Throws a {@link ModelFormatError} naming `path`. */
export function fail(path: string, message: string): never {
  throw new ModelFormatError(`${path}: ${message}`);
}

/** How a message shows a value: short, never an array's or object's contents (they may be huge). */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return String(value);
}

/** `obj.key` when it is an own property (never inherited), else undefined. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, `expected an object, got ${describeJson(value)}`);
  return value;
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${describeJson(value)}`);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== "string") fail(path, `expected a string, got ${describeJson(value)}`);
  return value;
}

export function readBool(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") fail(path, `expected true or false, got ${describeJson(value)}`);
  return value;
}

/** A finite number (JSON has no NaN, but a JS object handed to us may). */
export function readNumber(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(path, `expected a finite number, got ${describeJson(value)}`);
  return value;
}

/** An integer in [min, max]. */
export function readInt(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `expected an integer in [${min}, ${max}], got ${describeJson(value)}`);
  }
  return value;
}

/** Largest dimension a shape may declare (2^31 - 1): anything bigger cannot be a wasm32 tensor. */
export const MAX_DIM = 2 ** 31 - 1;

/**
 * A Keras shape with its batch dim (`[null, 28, 28, 1]`): returns the sample
 * shape, each dim a positive integer.
 */
export function readBatchShape(value: unknown, path: string): number[] {
  const list = readArray(value, path);
  if (list.length < 2) fail(path, `expected [batch, ...sample shape] with at least one sample dim, got ${describeJson(value)}`);
  if (list[0] !== null && (typeof list[0] !== "number" || !Number.isInteger(list[0]) || list[0] < 1)) {
    fail(`${path}[0]`, `the batch dim must be null or a positive integer, got ${describeJson(list[0])}`);
  }
  return list.slice(1).map((d, i) => readInt(d, `${path}[${i + 1}]`, 1, MAX_DIM));
}

/** A layer's Keras config, with the path of every key for messages. */
export class KerasConfig {
  constructor(readonly value: JsonObject, readonly path: string) {}

  /** The raw value of `key` (own properties only), undefined when absent. */
  get(key: string): unknown {
    return own(this.value, key);
  }

  /** True when `key` is present and not null. */
  has(key: string): boolean {
    const v = this.get(key);
    return v !== undefined && v !== null;
  }

  where(key: string): string {
    return `${this.path}.${key}`;
  }

  /** An integer in [min, max]; `fallback` NaN makes the key required. */
  int(key: string, fallback: number, min = 1, max = MAX_DIM): number {
    if (this.has(key)) return readInt(this.get(key), this.where(key), min, max);
    if (Number.isNaN(fallback)) fail(this.where(key), "is required");
    return fallback;
  }

  /** A finite number; `fallback` NaN makes the key required. */
  number(key: string, fallback: number): number {
    if (this.has(key)) return readNumber(this.get(key), this.where(key));
    if (Number.isNaN(fallback)) fail(this.where(key), "is required");
    return fallback;
  }

  bool(key: string, fallback: boolean): boolean {
    return this.has(key) ? readBool(this.get(key), this.where(key)) : fallback;
  }

  string(key: string, fallback: string): string {
    return this.has(key) ? readString(this.get(key), this.where(key)) : fallback;
  }

  /** One of `allowed` (default `fallback` when absent). */
  oneOf<const T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.string(key, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      fail(this.where(key), `${JSON.stringify(v)} is not supported (supported: ${allowed.map((a) => JSON.stringify(a)).join(", ")})`);
    }
    return v as T;
  }

  /** `n` or `[h, w]` of integers from `min` (positive by default), as [h, w]. */
  pair(key: string, fallback: [number, number], min = 1): [number, number] {
    if (!this.has(key)) return fallback;
    const v = this.get(key);
    if (typeof v === "number") {
      const n = readInt(v, this.where(key), min, MAX_DIM);
      return [n, n];
    }
    const list = readArray(v, this.where(key));
    if (list.length !== 2) fail(this.where(key), `expected [height, width], got ${describeJson(v)}`);
    return [readInt(list[0], `${this.where(key)}[0]`, min, MAX_DIM), readInt(list[1], `${this.where(key)}[1]`, min, MAX_DIM)];
  }

  /** Refuses a present value other than the ones with the meaning we implement (a Keras option we lack). */
  expect(key: string, ok: (value: unknown) => boolean, what: string): void {
    const v = this.get(key);
    if (v === undefined || v === null || ok(v)) return;
    fail(this.where(key), `${describeJson(v)} is not supported: simdcnn implements ${what} only`);
  }
}
