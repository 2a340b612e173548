// Browser entry: the public API, with init() fetching the inference half of
// the wasm build that sits next to the bundle (its training half when a
// model is first compiled), the browser's model stores (indexeddb://,
// downloads://) and the Web Worker pool of init({ threads }), each loaded
// on first use.
import { setThreadStarter, setWasmLoader } from "./backend/registry.js";
import { messageOf } from "./errors.js";
import { setBrowserStorage } from "./io/hooks.js";
import { setTrainingLoader } from "./backend/training-half.js";
import { fetchTrainingNextToBundle, fetchWasmNextToBundle } from "./platform/browser.js";

setWasmLoader(fetchWasmNextToBundle);
setTrainingLoader(fetchTrainingNextToBundle);
// Imported when a page first saves to or loads from them: they are not part of its first load.
setBrowserStorage(() => import("./io/browser-storage.js"));
// A chunk that fails to load is a reason to run on one thread, like any failed start.
setThreadStarter((...args) => import("./platform/browser-threads.js").then((m) => m.start(...args), messageOf));

export * from "./index.js";
