/** The three builds of assembly/ (one source, compile-time feature constants). */
export type WasmVariant = "relaxed-simd" | "simd" | "scalar";
/** The threaded builds of assembly/threads.ts (shared memory, per-instance scratch). */
export type ThreadedBinary = "simd-threads" | "relaxed-simd-threads";
