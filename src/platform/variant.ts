/** The three builds of assembly/ (one source, compile-time feature constants). */
export type WasmVariant = "relaxed-simd" | "simd" | "scalar";
/** The threaded builds of assembly/threads.ts (shared memory, per-instance scratch). */
export type ThreadedBinary = "simd-threads" | "relaxed-simd-threads";
/** The training halves of the browser's split build (assembly/training.ts, over the inference half's memory). */
export type TrainingBinary = "simd-training" | "relaxed-simd-training";
