/** The three builds of assembly/ (one source, compile-time feature constants). */
export type WasmVariant = "relaxed-simd" | "simd" | "scalar";
