// What the platform entries install for the model-file code (files.ts):
// Node's file system, the browser's model stores. Kept apart from files.ts
// so that an entry can install them without pulling the model-file code
// into its first load: files.ts is in the chunk loadModel and save import
// on first use (docs/architecture.md, "The package"), and the browser
// stores are a chunk of their own, imported only when a page uses
// indexeddb:// or downloads://.

import type { SavedModel } from "./format.js";

/** What the Node entry provides: file reads and writes. */
export interface FileSystem {
  /** Reads a file by path (relative to the working directory) or file: URL. */
  read(path: string | URL): Promise<Uint8Array>;
  /** The path of `name` relative to the directory of the file `from`. */
  sibling(from: string, name: string): string;
  /** Writes the files into `dir` (made if missing); returns the absolute paths written, in order. */
  writeFiles(dir: string, files: readonly { name: string; data: Uint8Array }[]): Promise<string[]>;
}

/** What the browser entry provides: indexeddb:// and downloads:// (indexed-db.ts, downloads.ts). */
export interface BrowserStorage {
  saveToIndexedDb(location: string, saved: SavedModel): Promise<void>;
  /** model.json's text and the weight buffers, in the manifest's order. */
  readFromIndexedDb(location: string): Promise<{ json: string; weights: Uint8Array[] }>;
  /** Starts the downloads; returns the file names. */
  downloadModel(location: string, saved: SavedModel): Promise<string[]>;
}

let files: FileSystem | null = null;
let storageLoader: (() => Promise<BrowserStorage>) | null = null;

/** Set by the Node entry; other entries leave it null (everything is fetched). */
export function setFileSystem(fs: FileSystem | null): void {
  files = fs;
}

/** The installed file system, or null. */
export function fileSystem(): FileSystem | null {
  return files;
}

/**
 * Set by the browser entry, as a loader of the stores' module; other entries
 * leave it null (the browser schemes are a ConfigError there).
 */
export function setBrowserStorage(load: (() => Promise<BrowserStorage>) | null): void {
  storageLoader = load;
}

/** The browser stores, loading on first use; null where none were installed. */
export function browserStorage(): Promise<BrowserStorage> | null {
  return storageLoader === null ? null : storageLoader();
}
