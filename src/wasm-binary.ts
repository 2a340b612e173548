// The declaration behind the package's `simdcnn/wasm/<variant>.wasm`
// subpaths (its `types`), so TypeScript accepts
// `import scalar from "simdcnn/wasm/scalar.wasm"; await init({ wasm: scalar })`
// without a `declare module "*.wasm"` of the user's own. Only the .d.ts
// (and the .d.cts twin) of this file ship; nothing imports its JavaScript.

import type { WasmSource } from "./backend/registry.js";

/**
 * A simdcnn kernel binary as the runtime or bundler turns a `.wasm` import
 * into: a compiled `WebAssembly.Module` in workerd, wrangler and Vercel Edge,
 * bytes or a URL with other bundlers' loaders. Any of them is something
 * `init({ wasm })` takes.
 */
declare const binary: WasmSource;
export default binary;
