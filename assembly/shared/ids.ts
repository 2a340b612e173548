// Compiled by both AssemblyScript (the kernels) and TypeScript (src/): the one
// place these ids are defined, so the two sides cannot drift apart.
// Plain enums only: no AS- or TS-specific types may appear in this file.

/** Element-wise activations a kernel can fuse into its epilogue. */
export enum ActivationId {
  Linear = 0,
  Relu = 1,
  LeakyRelu = 2,
  Sigmoid = 3,
  Tanh = 4,
  /** min(max(x, 0), alpha): relu6 (alpha 6) and Keras' ReLU(max_value = alpha). */
  ReluCapped = 5,
  /** x > 0 ? x : alpha * (e^x - 1) (alpha 1 by name, as Keras / tfjs-layers 'elu'). */
  Elu = 6,
  /** max(0, min(1, 0.2 x + 0.5)), tfjs-layers' (and Keras 2's) hardSigmoid; alpha unused. */
  HardSigmoid = 7,
  /**
   * x * sigmoid(x) (Keras / tfjs-layers 'swish'); alpha unused. Its backward
   * reads the forward INPUT x (swish is not one-to-one, so y cannot give it).
   */
  Swish = 8,
}

/** Element-wise binary operations of `ElementwiseKernels.binary` (src/backend/kernels-elementwise.ts). */
export enum BinaryOpId {
  Add = 0,
  Sub = 1,
  Mul = 2,
  /** NaN in either operand gives NaN, as TensorFlow's maximum. */
  Max = 3,
  /** NaN in either operand gives NaN, as TensorFlow's minimum. */
  Min = 4,
}

/**
 * Which of the three builds a binary is: its `buildId()` export
 * (assembly/index.ts picks one with the compile-time feature constants), so
 * init() reports what it loaded rather than the label it was given.
 */
export enum BuildId {
  Scalar = 1,
  Simd = 2,
  RelaxedSimd = 3,
}
