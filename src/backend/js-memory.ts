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
 * A growable linear memory over a plain ArrayBuffer: a resizable one that
 * grows in place (views taken without a length track its size), or, where
 * the runtime has none, a copy into a bigger buffer that replaces `buffer`
 * (as wasm's grow does: views taken before must be taken again; the old
 * buffer stays alive but stale, and nothing may write to it).
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
    this.current = resizable(initialPages * PAGE_BYTES, maximumPages * PAGE_BYTES) ??
      new ArrayBuffer(initialPages * PAGE_BYTES);
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
    const bytes = (oldPages + deltaPages) * PAGE_BYTES;
    const current = this.current as GrowableBuffer;
    if (current.resizable === true) {
      // In place: the pages were reserved up front, and views without a length track the new size.
      current.resize(bytes);
      return oldPages;
    }
    // No resizable ArrayBuffer: copy into a bigger buffer (a new object, as wasm's grow gives).
    const next = new ArrayBuffer(bytes);
    new Uint8Array(next).set(new Uint8Array(this.current));
    this.current = next;
    return oldPages;
  }
}

/** ES2024's resizable ArrayBuffer, typed here: the project's lib is older. */
interface GrowableBuffer extends ArrayBuffer {
  readonly resizable?: boolean;
  resize(bytes: number): void;
}

/**
 * An ArrayBuffer that grows in place up to `maxBytes` (ES2024), or undefined
 * where the runtime has none. Growing by copying made a large model's build
 * quadratic in its size: every block the arena added copied all before it.
 */
function resizable(bytes: number, maxBytes: number): ArrayBuffer | undefined {
  if (typeof (ArrayBuffer.prototype as Partial<GrowableBuffer>).resize !== "function") return undefined;
  try {
    return new (ArrayBuffer as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: maxBytes });
  } catch {
    return undefined; // the reservation was refused: copy on grow instead
  }
}
