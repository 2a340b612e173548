// Browser entry: the public API, with init() fetching the wasm binary that
// sits next to the bundle.
import { setWasmLoader } from "./backend/registry.js";
import { fetchWasmNextToBundle } from "./platform/browser.js";

setWasmLoader(fetchWasmNextToBundle);

export * from "./index.js";
