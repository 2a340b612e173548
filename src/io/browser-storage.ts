// The browser's model stores, one module so the browser entry can import
// them on first use (src/io/hooks.ts): indexeddb:// and downloads://.

export { readFromIndexedDb, saveToIndexedDb } from "./indexed-db.js";
export { downloadModel } from "./downloads.js";
