// Tolerances of the whole-model parity tests (named once, as tests/tolerances.ts does for kernels).

/**
 * Max |ours - TensorFlow.js| over a whole model's output. Both sides compute
 * in float32 with different summation orders (and FMA on relaxed SIMD); the
 * outputs are probabilities or squashed values in [-1, 1], so each layer's
 * rounding (~1e-7 relative) stays far below this after a handful of layers.
 */
export const MODEL_PARITY_ABS = 1e-5;

/**
 * One sample predicted alone vs inside a batch: a wasm GEMM may take another
 * path (a GEMV for one row, register tiles for several), so the summation
 * order, and the last bits, can differ.
 */
export const BATCH_CONSISTENCY_ABS = 1e-6;

/**
 * Functional models vs TensorFlow.js: max |ours - tfjs| divided by the
 * largest |output|. Relative, since a linear head's outputs have no fixed
 * scale; BatchNorm folded into a conv reorders a multiply and an add, so a
 * few roundings per layer, far below this.
 */
export const GRAPH_PARITY_REL = 1e-5;

/**
 * MobileNetV2 (53 convolutions deep, BatchNorm folded, ReLU6 fused, residual
 * adds) vs TensorFlow.js, relative to the largest |output| as
 * GRAPH_PARITY_REL: the issue's bar. He-scaled kernels keep the signal alive
 * through the depth, and float32 roundings compound layer after layer (a few
 * 1e-6 measured), so this is looser than the shallow graphs' bound, and a
 * wrong kernel, fold or padding moves the logits by far more.
 */
export const MOBILENET_PARITY_REL = 1e-4;
