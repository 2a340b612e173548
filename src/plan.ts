// The arena buffers a forward pass uses, planned once for a batch capacity:
// the input copy, one output per layer (identity layers such as Flatten
// alias their input's) and one scratch all convolutions share (they run one
// after another). The trainer plans its own, larger set the same way.

import type { Layer } from "./layers/layer.js";
import type { Arena } from "./memory.js";
import { sizeOf } from "./shape.js";

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

export interface ForwardPlan {
  capacity: number;
  input: number;
  /** Output buffer of each layer (identity layers repeat the previous pointer). */
  outputs: number[];
  scratch: number;
  blocks: BlockList;
}

/** Allocates a forward pass's buffers for `capacity` samples. */
export function planForward(
  arena: Arena, layers: readonly Layer[], inputShape: readonly number[],
  layerShapes: readonly (readonly number[])[], capacity: number,
): ForwardPlan {
  return BlockList.plan(arena, (blocks) => {
    const input = blocks.alloc(capacity * sizeOf(inputShape));
    const outputs: number[] = [];
    let previous = input;
    layers.forEach((layer, i) => {
      previous = layer.isIdentity ? previous : blocks.alloc(capacity * sizeOf(layerShapes[i]!));
      outputs.push(previous);
    });
    // The scratch size is assumed not to shrink as the batch grows.
    const scratchFloats = Math.max(0, ...layers.map((layer) => layer.scratchFloats(capacity)));
    const scratch = scratchFloats > 0 ? blocks.alloc(scratchFloats) : 0;
    return { capacity, input, outputs, scratch, blocks };
  });
}
