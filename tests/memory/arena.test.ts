// The allocator itself (an internal, so this reaches into src/ like the kernel
// tests do): alignment, no overlap, coalescing, growth, and the OOM message.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsMemory } from "../../src/backend/js-memory.js";
import { OutOfMemoryError } from "../../src/errors.js";
import { ALIGN_BYTES, Arena, PAGE_BYTES } from "../../src/memory.js";

const HEAP_BASE = 16;

describe("Arena", () => {
  it("random alloc/free: aligned, disjoint, zero-filled; freeing everything coalesces back", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ floats: fc.integer({ min: 0, max: 40_000 }), freeAt: fc.nat(30) }), { minLength: 1, maxLength: 30 }),
      (ops) => {
        const arena = new Arena(new JsMemory({ initialPages: 1 }), HEAP_BASE);
        const live: { ptr: number; bytes: number }[] = [];
        ops.forEach(({ floats, freeAt }, step) => {
          const ptr = arena.alloc(floats);
          expect(ptr % ALIGN_BYTES).toBe(0);
          expect(ptr).toBeGreaterThanOrEqual(HEAP_BASE);
          const bytes = Math.max(floats * 4, 1);
          for (const other of live) expect(ptr + bytes <= other.ptr || other.ptr + other.bytes <= ptr).toBe(true);
          const f32 = arena.f32();
          expect(f32.subarray(ptr / 4, ptr / 4 + floats).every((v) => v === 0)).toBe(true);
          f32.fill(step + 1, ptr / 4, ptr / 4 + floats); // dirty it: the next owner must get zeros again
          live.push({ ptr, bytes });
          if (freeAt % 3 === 0 && live.length > 0) arena.free(live.splice(freeAt % live.length, 1)[0]!.ptr);
        });
        for (const { ptr } of live) arena.free(ptr);
        expect(arena.bytesInUse()).toBe(0);
        expect(arena.liveBlocks()).toBe(0);
        // Everything coalesced: one block spanning the whole heap fits without growing.
        const capacity = arena.capacityBytes();
        arena.alloc((capacity - HEAP_BASE) / 4);
        expect(arena.capacityBytes()).toBe(capacity);
      }), { numRuns: 50 });
  });

  it("f32() follows the buffer across growth", () => {
    const memory = new JsMemory({ initialPages: 1 });
    const arena = new Arena(memory, HEAP_BASE);
    const a = arena.alloc(10);
    arena.f32()[a / 4] = 42;
    const before = arena.f32();
    arena.alloc(PAGE_BYTES); // 4 pages worth of floats: must grow
    expect(memory.buffer.byteLength).toBeGreaterThan(PAGE_BYTES);
    expect(arena.f32()).not.toBe(before);
    expect(arena.f32()[a / 4]).toBe(42);
  });

  it("throws OutOfMemoryError naming the request when memory cannot grow", () => {
    const arena = new Arena(new JsMemory({ initialPages: 1, maximumPages: 2 }), HEAP_BASE);
    expect(() => arena.alloc(3 * PAGE_BYTES / 4)).toThrow(OutOfMemoryError);
    expect(() => arena.alloc(3 * PAGE_BYTES / 4)).toThrow(`cannot allocate ${3 * PAGE_BYTES} bytes`);
    expect(arena.bytesInUse()).toBe(0);
    expect(() => arena.free(12345)).toThrow(/not live/);
  });
});
