// Tile and lane sizes shared by every kernel family. Named once here so no
// kernel hard-codes a 4 or an 8 whose meaning the reader has to guess.

/** Bytes in one f32. */
export const F32_BYTES: usize = 4;
/** f32 lanes in one v128. */
export const LANES: i32 = 4;
/** Columns (output channels) per packed weight panel: two v128 per row. */
export const NR: i32 = 8;
/** Bytes in one packed panel row (NR floats). */
export const PANEL_ROW_BYTES: usize = 32;
/** Rows (output pixels) per register tile of the 4x8 micro-kernel. */
export const MR: i32 = 4;

/** Rounds `n` up to a whole number of NR-wide panels. */
// @ts-ignore: decorator
@inline
export function roundUpToPanel(n: i32): i32 {
  return (n + NR - 1) & ~(NR - 1);
}
