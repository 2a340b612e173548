// Vercel Edge entry (the "edge-light" export condition): Vercel's bundler
// turns a `.wasm?module` import into a compiled WebAssembly.Module, so a
// plain `await init()` works where compiling bytes is forbidden.
import { setWasmLoader } from "./backend/registry.js";
import { setTrainerModule } from "./backend/training-half.js";
import { moduleLoader } from "./platform/edge.js";
import * as trainer from "./train/trainer.js";
import relaxedSimd from "./wasm/relaxed-simd.wasm?module";
import simd from "./wasm/simd.wasm?module";

setWasmLoader(moduleLoader("edge-light", { "relaxed-simd": relaxedSimd, simd }));
// Whole binaries and the Trainer up front: compile() is synchronous here (a browser loads both on its first compile).
setTrainerModule(trainer);

export * from "./index.js";
