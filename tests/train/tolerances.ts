// Tolerances of the training suites, named once (as tests/tolerances.ts does for kernels).

/**
 * A few optimizer steps against TensorFlow.js from the same start weights:
 * for every weight tensor on its own, max |ours - tfjs| must stay within
 * this fraction of how far tfjs moved that tensor (max |tfjs after - start|). Both sides compute
 * in float32 with different summation orders, and the loss paths differ
 * (fused logits here, clipped probabilities in tfjs-layers), so a few
 * 1e-6-relative roundings per step are expected; a wrong gradient moves a
 * weight by a sizeable fraction of the step.
 */
export const OPTIMIZER_PARITY_REL = 1e-3;

/** A tensor tfjs did not move at all (e.g. a dead ReLU unit's bias) may differ from it by no more than this. */
export const UNMOVED_ABS = 1e-7;

/** Two runs of the same seeded training on the same backend: bit for bit. */
export const SAME_SEED_ABS = 0;

/** Hand-checked optimizer formulas (a few float32 operations). */
export const UPDATE_ABS = 1e-6;

/** The LeNet-on-digits acceptance bar (fraction of the held-out digits). */
export const MNIST_MIN_ACCURACY = 0.97;

/**
 * A dropout mask value read back from one SGD step (a bias gradient divided
 * by 2y, all float32): a few roundings of values near 1/keep <= 10.
 */
export const MASK_ABS = 1e-4;

/** The kept count of n dropout draws must lie within this many binomial standard deviations of n * keep. */
export const DROPOUT_KEPT_SIGMAS = 5;
