// Entry of the whole binaries (scalar.wasm, simd.wasm, relaxed-simd.wasm):
// the inference half (inference.ts) and the training half (backward.ts) of
// the export surface, over one exported memory.
//
// One source, every binary: ASC_FEATURE_SIMD / ASC_FEATURE_RELAXED_SIMD
// select the v128 and fused multiply-add paths at compile time
// (asconfig.json). The browser loads the halves as two binaries instead
// (inference.ts, training.ts), so a page that only predicts downloads no
// training kernels.

export * from "./inference";
export * from "./backward";
