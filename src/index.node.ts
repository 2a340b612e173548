// Node entry: the public API, with init() reading the wasm binary from disk.
import { setWasmLoader } from "./backend/registry.js";
import { loadWasmFromDisk } from "./platform/node.js";

setWasmLoader(loadWasmFromDisk);

export * from "./index.js";
