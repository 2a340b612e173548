// Node entry: the public API, with init() reading the wasm binary from disk
// and model files (paths, file://) read and written on the file system.
import { detectFusedMadd } from "./backend/features.js";
import { setFusedMaddProbe, setThreadStarter, setUrlReader, setWasmLoader } from "./backend/registry.js";
import { setTrainerModule, setTrainingLoader } from "./backend/training-half.js";
import { setImageDecoder } from "./image/load-image.js";
import { setFileSystem } from "./io/hooks.js";
import { loadWasmFromDisk, nodeFileSystem, readFileUrl } from "./platform/node.js";
import { startNodeThreads } from "./platform/node-threads.js";
import * as trainer from "./train/trainer.js";

setWasmLoader(loadWasmFromDisk);
setUrlReader(readFileUrl);
setFileSystem(nodeFileSystem);
setFusedMaddProbe(detectFusedMadd);
setThreadStarter(startNodeThreads);
// Node loads whole binaries; this serves init({ wasm }) given a browser inference binary.
setTrainingLoader((variant) => loadWasmFromDisk(`${variant as "simd" | "relaxed-simd"}-training`));
// loadImage: the decoding module (and the decoders it imports) load on its first call.
setImageDecoder(() => import("./platform/node-image.js"));
// Whole binaries and the Trainer up front: compile() is synchronous here (a browser loads both on its first compile).
setTrainerModule(trainer);

export * from "./index.js";
