// A bump allocator over a backend's linear memory, for tests only. It mirrors
// what src/memory.ts guarantees (16-byte alignment, offsets >= heapBase,
// growth via memory.grow with fresh views afterwards) and adds two checks the
// real arena does not need:
// - guard bands of a sentinel around every block, so a kernel that writes
//   past its output is caught;
// - a snapshot of every uploaded input, so a kernel that writes into its
//   inputs is caught.

import type { Kernels } from "../../src/backend/kernels.js";

const ALIGN_BYTES = 16;
const F32_BYTES = 4;
const PAGE_BYTES = 65536;
/** One 16-byte guard band before and after each block keeps blocks 16-byte aligned. */
const GUARD_FLOATS = ALIGN_BYTES / F32_BYTES;
/** An unlikely value no kernel produces from our inputs. */
const GUARD_VALUE = -1234567.0;

interface Block {
  ptr: number;
  floats: number;
  label: string;
  /** Inputs keep their uploaded contents to check they were not written. */
  snapshot?: Float32Array;
}

const alignUp = (bytes: number): number => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;

export class TestArena {
  private top: number;
  private blocks: Block[] = [];

  constructor(readonly kernels: Kernels) {
    this.top = alignUp(kernels.heapBase);
  }

  /** Forgets every block; the memory is reused by the next allocations. */
  reset(): void {
    this.top = alignUp(this.kernels.heapBase);
    this.blocks = [];
  }

  /** A fresh view: taken per use because memory.grow replaces the buffer. */
  f32(): Float32Array {
    return new Float32Array(this.kernels.memory.buffer);
  }

  /** Reserves `floats` floats between two guard bands; contents are unspecified (NaN-filled). */
  alloc(floats: number, label = "block"): number {
    const ptr = this.top + ALIGN_BYTES;
    const end = ptr + alignUp(Math.max(floats, 1) * F32_BYTES) + ALIGN_BYTES;
    this.ensure(end);
    this.top = end;
    const f = this.f32();
    f.fill(GUARD_VALUE, (ptr - ALIGN_BYTES) / F32_BYTES, ptr / F32_BYTES);
    // NaN in every output cell: a kernel that forgets to write a cell is caught.
    f.fill(Number.NaN, ptr / F32_BYTES, end / F32_BYTES - GUARD_FLOATS);
    f.fill(GUARD_VALUE, end / F32_BYTES - GUARD_FLOATS, end / F32_BYTES);
    this.blocks.push({ ptr, floats, label });
    return ptr;
  }

  /** Copies `data` in and remembers it, so `verify` can check the kernel left it alone. */
  upload(data: Float32Array, label = "input"): number {
    const ptr = this.alloc(data.length, label);
    this.f32().set(data, ptr / F32_BYTES);
    this.blocks[this.blocks.length - 1].snapshot = data.slice();
    return ptr;
  }

  /** Copies `floats` floats out of the memory. */
  read(ptr: number, floats: number): Float32Array {
    return this.f32().slice(ptr / F32_BYTES, ptr / F32_BYTES + floats);
  }

  /** Marks an uploaded block as writable (e.g. the x == y buffer of an in-place call). */
  markWritable(ptr: number): void {
    const block = this.blocks.find((b) => b.ptr === ptr);
    if (block) block.snapshot = undefined;
  }

  /**
   * Throws if any guard band was overwritten or any uploaded input changed.
   * `context` names the case in the message.
   */
  verify(context: string): void {
    const f = this.f32();
    for (const b of this.blocks) {
      const start = b.ptr / F32_BYTES;
      const guardAfter = start + alignUp(Math.max(b.floats, 1) * F32_BYTES) / F32_BYTES;
      for (let i = 0; i < GUARD_FLOATS; i++) {
        if (!Object.is(f[start - GUARD_FLOATS + i], GUARD_VALUE) || !Object.is(f[guardAfter + i], GUARD_VALUE)) {
          throw new Error(`${context}: guard band around '${b.label}' (${b.floats} floats) was overwritten`);
        }
      }
      // The slack between a block's last float and its 16-byte boundary is
      // not checked: the real arena rounds blocks up to 16 bytes too, so a
      // full-vector tail store inside that slack harms nothing.
      if (b.snapshot) {
        for (let i = 0; i < b.floats; i++) {
          if (!Object.is(f[start + i], b.snapshot[i])) {
            throw new Error(`${context}: input '${b.label}' was modified at index ${i} ` +
              `(${b.snapshot[i]} -> ${f[start + i]})`);
          }
        }
      }
    }
  }

  private ensure(endByte: number): void {
    const memory = this.kernels.memory;
    const have = memory.buffer.byteLength;
    if (endByte <= have) return;
    memory.grow(Math.ceil((endByte - have) / PAGE_BYTES));
  }
}
