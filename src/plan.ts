// Arena blocks that live and die together: a plan's buffers (src/graph/
// program.ts) and a trainer's gradients and optimizer state.

import type { Arena } from "./memory.js";

/** Arena blocks allocated as one set and freed as one (a plan's buffers). */
export class BlockList {
  private readonly ptrs: number[] = [];

  constructor(private readonly arena: Arena) {}

  alloc(floats: number): number {
    const ptr = this.arena.alloc(floats);
    this.ptrs.push(ptr);
    return ptr;
  }

  /** Frees every block; the list can be reused afterwards. */
  freeAll(): void {
    for (const ptr of this.ptrs) this.arena.free(ptr);
    this.ptrs.length = 0;
  }

  /**
   * Runs `build` with this list and, if it throws, frees what it allocated
   * before rethrowing: a failed plan (OutOfMemoryError) leaks nothing.
   */
  static plan<T>(arena: Arena, build: (blocks: BlockList) => T): T {
    const blocks = new BlockList(arena);
    try {
      return build(blocks);
    } catch (e) {
      blocks.freeAll();
      throw e;
    }
  }
}
