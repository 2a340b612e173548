// Node entry: the public API, with init() reading the wasm binary from disk.
import { setUrlReader, setWasmLoader } from "./backend/registry.js";
import { loadWasmFromDisk, readFileUrl } from "./platform/node.js";

setWasmLoader(loadWasmFromDisk);
setUrlReader(readFileUrl);

export * from "./index.js";
