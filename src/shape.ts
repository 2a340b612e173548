// The ONE place output sizes of windowed ops (conv, pooling) are computed, so
// conv, pooling and the planner cannot disagree. Formulas follow TensorFlow
// (tf.nn.conv2d / Keras), including where the extra 'same' padding goes.

/** Padding modes, as Keras / tfjs-layers spell them. */
export type Padding = "valid" | "same";

/** Output size and the padding before the input, along one spatial axis. */
export interface AxisWindow {
  /** Output length; may be <= 0 for a 'valid' window larger than the input (callers throw). */
  out: number;
  /** Zero cells before the input (top or left). */
  padBefore: number;
  /** Zero cells after the input (bottom or right); gets the extra cell when the total is odd. */
  padAfter: number;
}

/**
 * One axis of a window pass. A dilated window (taps `dilation` apart) spans
 * k = (kernel - 1) * dilation + 1 cells, and that k is used below.
 * - 'valid': out = floor((in - k) / stride) + 1, no padding.
 * - 'same' (TensorFlow): out = ceil(in / stride),
 *   total = max((out - 1) * stride + k - in, 0), before = floor(total / 2),
 *   the extra cell after (bottom/right).
 */
export function axisWindow(inSize: number, kernel: number, stride: number, padding: Padding,
                           dilation = 1): AxisWindow {
  kernel = (kernel - 1) * dilation + 1;
  if (padding === "same") {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + kernel - inSize, 0);
    const padBefore = Math.floor(total / 2);
    return { out, padBefore, padAfter: total - padBefore };
  }
  // Math.floor on a negative numerator gives out <= 0 when kernel > inSize.
  return { out: Math.floor((inSize - kernel) / stride) + 1, padBefore: 0, padAfter: 0 };
}

/** Product of a shape's dims (1 for a scalar shape []). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[a,b,c]` — the compact way tfjs prints shapes; used in every error message. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(",")}]`;
}

/** True when `v` is an integer >= 1. */
export function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 1;
}
