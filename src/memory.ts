// The arena: every tensor, weight, packed weight, activation and scratch
// buffer lives in the backend's linear memory, handed out here.
//
// - Blocks are 16-byte aligned (one v128) so SIMD kernels may use aligned
//   loads, and start at `heapBase` (> 0), so pointer 0 can mean "absent".
// - Free blocks sit in an address-sorted list; neighbours coalesce on free,
//   so plan / re-plan cycles do not fragment the heap.
// - Growth uses `memory.grow`, which replaces (and for wasm detaches)
//   `memory.buffer`: a Float32Array taken before a call that may allocate is
//   stale after it. `f32()` therefore re-checks the buffer every time.

import { OutOfMemoryError, messageOf } from "./errors.js";
import type { LinearMemory } from "./backend/kernels.js";

/** Alignment of every block, in bytes: one 128-bit SIMD lane group. */
export const ALIGN_BYTES = 16;
/** Bytes per float32 element. */
export const F32_BYTES = 4;
/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;
/** wasm32 cannot address more than 4 GiB. */
const MAX_ADDRESS_BYTES = 2 ** 32;

interface FreeBlock {
  start: number;
  size: number;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Allocator over one backend's linear memory. One arena per kernels instance. */
export class Arena {
  /** Free blocks sorted by address, never adjacent (they coalesce). */
  private readonly freeList: FreeBlock[] = [];
  /** Live blocks: byte offset -> byte size. */
  private readonly live = new Map<number, number>();
  private inUse = 0;
  /** End of the memory this arena has taken into its free list. */
  private end: number;
  private view: Float32Array;

  constructor(private readonly memory: LinearMemory, heapBase: number) {
    const start = alignUp(heapBase, ALIGN_BYTES);
    this.end = memory.buffer.byteLength;
    if (this.end > start) this.freeList.push({ start, size: this.end - start });
    else this.end = start;
    this.view = new Float32Array(memory.buffer);
  }

  /**
   * Reserves room for `floats` float32 values, zero-filled; returns the byte
   * offset. Throws OutOfMemoryError (naming the request) when memory cannot grow.
   */
  alloc(floats: number): number {
    if (!Number.isInteger(floats) || floats < 0) {
      throw new RangeError(`arena: cannot allocate ${floats} floats`);
    }
    // At least one aligned unit, so every block has a distinct address.
    const bytes = Math.max(alignUp(floats * F32_BYTES, ALIGN_BYTES), ALIGN_BYTES);
    let index = this.findFit(bytes);
    if (index < 0) {
      this.grow(bytes);
      index = this.findFit(bytes);
    }
    const block = this.freeList[index]!;
    const ptr = block.start;
    if (block.size === bytes) this.freeList.splice(index, 1);
    else {
      block.start += bytes;
      block.size -= bytes;
    }
    this.live.set(ptr, bytes);
    this.inUse += bytes;
    this.f32().fill(0, ptr / F32_BYTES, (ptr + bytes) / F32_BYTES);
    return ptr;
  }

  /** Returns a block from `alloc` to the free list. Freeing anything else is a bug (throws). */
  free(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`arena: free(${ptr}) of a block that is not live`);
    this.live.delete(ptr);
    this.inUse -= size;
    this.insertFree(ptr, size);
  }

  /**
   * A Float32Array over the whole current buffer. Valid only until the next
   * call that may allocate (alloc can grow memory); never keep it longer.
   */
  f32(): Float32Array {
    // memory.buffer is a new object after every grow, so identity tells
    // whether the cached view still covers the live buffer.
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Bytes in live blocks (after alignment). */
  bytesInUse(): number {
    return this.inUse;
  }

  /** Bytes of linear memory (`memory.buffer.byteLength`). */
  capacityBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Number of live blocks (for leak tests). */
  liveBlocks(): number {
    return this.live.size;
  }

  private findFit(bytes: number): number {
    for (let i = 0; i < this.freeList.length; i++) if (this.freeList[i]!.size >= bytes) return i;
    return -1;
  }

  /** Grows memory so that a block of `bytes` fits at the end. */
  private grow(bytes: number): void {
    const last = this.freeList[this.freeList.length - 1];
    const tailFree = last !== undefined && last.start + last.size === this.end ? last.size : 0;
    const missing = bytes - tailFree;
    const pages = Math.ceil(missing / PAGE_BYTES);
    const oldBytes = this.memory.buffer.byteLength;
    const fail = (why: string): never => {
      throw new OutOfMemoryError(
        `cannot allocate ${bytes} bytes (${bytes / F32_BYTES} floats): linear memory is ${oldBytes} bytes ` +
        `with ${this.inUse} in use, and growing by ${pages} pages (${pages * PAGE_BYTES} bytes) failed: ${why}`);
    };
    if (oldBytes + pages * PAGE_BYTES > MAX_ADDRESS_BYTES) fail("beyond the 4 GiB wasm32 address space");
    try {
      this.memory.grow(pages);
    } catch (e) {
      fail(messageOf(e));
    }
    const newEnd = this.memory.buffer.byteLength;
    // The memory may have been sized before the arena saw it; take all of it.
    const start = Math.max(this.end, oldBytes);
    this.end = newEnd;
    if (newEnd > start) this.insertFree(start, newEnd - start);
  }

  private insertFree(start: number, size: number): void {
    const list = this.freeList;
    // Binary search: first block after `start`.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    const joinsPrev = prev !== undefined && prev.start + prev.size === start;
    const joinsNext = next !== undefined && start + size === next.start;
    if (joinsPrev && joinsNext) {
      prev.size += size + next.size;
      list.splice(lo, 1);
    } else if (joinsPrev) {
      prev.size += size;
    } else if (joinsNext) {
      next.start = start;
      next.size += size;
    } else {
      list.splice(lo, 0, { start, size });
    }
  }
}
