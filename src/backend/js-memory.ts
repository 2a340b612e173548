// Linear memory for the plain-JS backend: the same contract as
// `WebAssembly.Memory` (64 KiB pages, `grow` returns the old page count and
// replaces `buffer`), built on a plain ArrayBuffer so it works where
// `WebAssembly` is absent or forbidden.

import type { LinearMemory } from "./kernels.js";

/** Bytes in one page, as WebAssembly defines it. */
export const PAGE_BYTES = 65536;

/** 32768 pages = 2 GiB: the largest memory the wasm binaries declare (asconfig.json). */
export const DEFAULT_MAXIMUM_PAGES = 32768;

export interface JsMemoryOptions {
  /** Pages allocated up front (default 1). */
  initialPages?: number;
  /** Pages `grow` may never exceed (default 32768 = 2 GiB). */
  maximumPages?: number;
}

/**
 * A growable linear memory over a plain ArrayBuffer. Growing copies into a
 * bigger buffer and replaces `buffer`, so — as with wasm — every view taken
 * before `grow` must be taken again (the old buffer is kept alive but stale,
 * not detached; nothing may write to it). Unlike wasm, it may grow by more
 * than asked (see grow).
 */
export class JsMemory implements LinearMemory {
  private current: ArrayBuffer;
  readonly maximumPages: number;

  constructor(options: JsMemoryOptions = {}) {
    const initialPages = options.initialPages ?? 1;
    const maximumPages = options.maximumPages ?? DEFAULT_MAXIMUM_PAGES;
    if (!Number.isInteger(initialPages) || initialPages < 0) {
      throw new RangeError(`JsMemory: initialPages must be a non-negative integer, got ${initialPages}`);
    }
    if (!Number.isInteger(maximumPages) || maximumPages < initialPages) {
      throw new RangeError(
        `JsMemory: maximumPages must be an integer >= initialPages (${initialPages}), got ${maximumPages}`);
    }
    this.maximumPages = maximumPages;
    this.current = new ArrayBuffer(initialPages * PAGE_BYTES);
  }

  get buffer(): ArrayBuffer {
    return this.current;
  }

  /** Current size in pages. */
  get pages(): number {
    return this.current.byteLength / PAGE_BYTES;
  }

  grow(deltaPages: number): number {
    const oldPages = this.pages;
    if (!Number.isInteger(deltaPages) || deltaPages < 0) {
      throw new RangeError(`JsMemory.grow: deltaPages must be a non-negative integer, got ${deltaPages}`);
    }
    if (oldPages + deltaPages > this.maximumPages) {
      throw new RangeError(
        `JsMemory.grow: cannot grow by ${deltaPages} pages from ${oldPages}: maximum is ${this.maximumPages} pages`);
    }
    // Growth copies, so it grows by half again at least (within the maximum): the arena takes
    // whatever it gets, and building a large model then copies O(size) bytes in all, not
    // O(size^2) (MobileNetV2 1.0 at 224x224 built in 1.7 s). A resizable ArrayBuffer would grow
    // in place, but V8 runs the JS kernels' typed arrays over one ~20% slower.
    const pages = deltaPages === 0 ? oldPages : Math.min(this.maximumPages, Math.max(oldPages + deltaPages, Math.ceil(oldPages * 1.5)));
    // WebAssembly.Memory.grow(0) also hands out a fresh buffer object; mirror
    // that so callers relying on "views are stale after grow" behave the same.
    const next = new ArrayBuffer(pages * PAGE_BYTES);
    new Uint8Array(next).set(new Uint8Array(this.current));
    this.current = next;
    return oldPages;
  }
}
