// Offsets for buffers with lifetimes: TFLite's arena planner idea (greedy by
// size). Each buffer lives from the step that writes it first to the step
// that reads it last; two buffers may share bytes when their lifetimes do
// not overlap. Largest first, each at the lowest offset that clears every
// already placed buffer alive at the same time. Pure: sizes and steps in,
// offsets out; the model turns them into pointers inside one arena block.

/** One buffer to place: its size and the steps it is alive (both inclusive). */
export interface LiveBuffer {
  /** Floats. */
  readonly size: number;
  /** First step that writes it. */
  readonly first: number;
  /** Last step that reads it (use Infinity for "to the end"). */
  readonly last: number;
}

/** Where each buffer goes, in floats from the block's start, and the block's size. */
export interface Placement {
  readonly offsets: number[];
  readonly total: number;
}

/** Floats per alignment unit: 16 bytes, what the kernels' SIMD loads expect. */
export const ALIGN_FLOATS = 4;

const alignUp = (n: number): number => Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;

/**
 * Places `buffers` so that no two alive at the same step overlap.
 * @example
 * // A chain a -> b -> c: a and c never live together, so they share bytes.
 * placeBuffers([{ size: 8, first: 0, last: 1 }, { size: 8, first: 1, last: 2 }, { size: 8, first: 2, last: 3 }]);
 * // { offsets: [0, 8, 0], total: 16 }
 * @throws never
 */
export function placeBuffers(buffers: readonly LiveBuffer[]): Placement {
  const order = buffers.map((_, i) => i).sort((a, b) =>
    buffers[b]!.size - buffers[a]!.size || buffers[a]!.first - buffers[b]!.first || a - b);
  const offsets = new Array<number>(buffers.length).fill(0);
  const placed: number[] = [];
  let total = 0;
  for (const i of order) {
    const b = buffers[i]!;
    const size = alignUp(b.size);
    // Address ranges of placed buffers alive at the same time, by start.
    const busy = placed
      .filter((j) => buffers[j]!.first <= b.last && b.first <= buffers[j]!.last)
      .map((j) => [offsets[j]!, offsets[j]! + alignUp(buffers[j]!.size)] as const)
      .sort((x, y) => x[0] - y[0]);
    let at = 0;
    for (const [start, end] of busy) {
      if (at + size <= start) break;
      at = Math.max(at, end);
    }
    offsets[i] = at;
    placed.push(i);
    total = Math.max(total, at + size);
  }
  return { offsets, total };
}
