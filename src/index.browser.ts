// Browser entry: the public API, with init() fetching the wasm binary that
// sits next to the bundle, and the browser's model stores (indexeddb://,
// downloads://), loaded on first use.
import { setWasmLoader } from "./backend/registry.js";
import { setBrowserStorage } from "./io/hooks.js";
import { fetchWasmNextToBundle } from "./platform/browser.js";

setWasmLoader(fetchWasmNextToBundle);
// Imported when a page first saves to or loads from them: they are not part of its first load.
setBrowserStorage(() => import("./io/browser-storage.js"));

export * from "./index.js";
