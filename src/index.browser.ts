// Browser entry: the public API, with init() fetching the wasm binary that
// sits next to the bundle, and the browser's model stores (indexeddb://,
// downloads://).
import { setWasmLoader } from "./backend/registry.js";
import { downloadModel } from "./io/downloads.js";
import { setBrowserStorage } from "./io/files.js";
import { readFromIndexedDb, saveToIndexedDb } from "./io/indexed-db.js";
import { fetchWasmNextToBundle } from "./platform/browser.js";

setWasmLoader(fetchWasmNextToBundle);
setBrowserStorage({ saveToIndexedDb, readFromIndexedDb, downloadModel });

export * from "./index.js";
