// Browser entry: the public API, with init() fetching the wasm binary that
// sits next to the bundle, the browser's model stores (indexeddb://,
// downloads://) and the Web Worker pool of init({ threads }), each loaded
// on first use.
import { setThreadStarter, setWasmLoader } from "./backend/registry.js";
import { messageOf } from "./errors.js";
import { setBrowserStorage } from "./io/hooks.js";
import { fetchWasmNextToBundle } from "./platform/browser.js";

setWasmLoader(fetchWasmNextToBundle);
// Imported when a page first saves to or loads from them: they are not part of its first load.
setBrowserStorage(() => import("./io/browser-storage.js"));
// A chunk that fails to load is a reason to run on one thread, like any failed start.
setThreadStarter((...args) => import("./platform/browser-threads.js").then((m) => m.start(...args), messageOf));

export * from "./index.js";
