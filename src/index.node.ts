// Node entry: the public API, with init() reading the wasm binary from disk
// and model files (paths, file://) read and written on the file system.
import { detectFusedMadd } from "./backend/features.js";
import { setFusedMaddProbe, setThreadStarter, setUrlReader, setWasmLoader } from "./backend/registry.js";
import { setImageDecoder } from "./image/load-image.js";
import { setFileSystem } from "./io/hooks.js";
import { loadWasmFromDisk, nodeFileSystem, readFileUrl } from "./platform/node.js";
import { startNodeThreads } from "./platform/node-threads.js";

setWasmLoader(loadWasmFromDisk);
setUrlReader(readFileUrl);
setFileSystem(nodeFileSystem);
setFusedMaddProbe(detectFusedMadd);
setThreadStarter(startNodeThreads);
// loadImage: the decoding module (and the decoders it imports) load on its first call.
setImageDecoder(() => import("./platform/node-image.js"));

export * from "./index.js";
