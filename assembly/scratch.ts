// Per-instance scratch, for the binaries built with ASC_FEATURE_THREADS: the
// threaded builds (threads.ts) and the training companion (training.ts).
// Both import a memory another instance owns, so the scratch buffers the
// whole binaries keep as static data (the packed A slab, the tap table, two
// bias panels, BatchNorm's per-channel sums) are mutable globals here,
// pointed at a block of the arena by setScratch. Such binaries have no data
// segments, so instantiating one writes nothing into the shared memory.

import { PACK_A_BUF, PACK_A_BYTES } from "./gemm/pack";
import { BIAS_PANEL, TAP_TABLE, TAP_TABLE_BYTES } from "./gemm/f32_gemm_4x8";
import { BIAS_PARTIAL } from "./gemm/f32_gemm_4x8_packed_a";
import { ROW_ACC, ROW_ACC_BYTES } from "./norm/rows";

/** Bytes of one bias panel copy (NR = 8 floats). */
const BIAS_BYTES: i32 = 32;

/** Bytes of the block each instance needs (setScratch); a multiple of 16. */
export function scratchBytes(): i32 {
  return PACK_A_BYTES + TAP_TABLE_BYTES + 2 * BIAS_BYTES + ROW_ACC_BYTES;
}

/** Points this instance's scratch buffers into `ptr` (16-byte aligned, scratchBytes() long). Once, before any kernel. */
export function setScratch(ptr: usize): void {
  PACK_A_BUF = ptr;
  TAP_TABLE = ptr + <usize>PACK_A_BYTES;
  BIAS_PANEL = TAP_TABLE + <usize>TAP_TABLE_BYTES;
  BIAS_PARTIAL = BIAS_PANEL + <usize>BIAS_BYTES;
  ROW_ACC = BIAS_PARTIAL + <usize>BIAS_BYTES;
}
