// Cloudflare Workers / workerd entry (the "workerd" export condition): the
// binaries are imported as modules, which wrangler (and workerd's `wasm`
// module type) hand over as compiled WebAssembly.Module objects, so a plain
// `await init()` works where compiling bytes is forbidden.
import { setWasmLoader } from "./backend/registry.js";
import { setTrainerModule } from "./backend/training-half.js";
import { moduleLoader } from "./platform/edge.js";
import * as trainer from "./train/trainer.js";
import relaxedSimd from "./wasm/relaxed-simd.wasm";
import simd from "./wasm/simd.wasm";

setWasmLoader(moduleLoader("workerd", { "relaxed-simd": relaxedSimd, simd }));
// Whole binaries and the Trainer up front: compile() is synchronous here (a browser loads both on its first compile).
setTrainerModule(trainer);

export * from "./index.js";
