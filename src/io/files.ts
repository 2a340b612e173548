// Where model files live: a URL (fetched), a path or file:// location (the
// file system, on Node's entry only), or File objects (an <input type=file>
// selection). model.json is read first; its manifest names the shards,
// found next to it (URLs and paths resolve relative to model.json; Files
// match by name). Saving to "file://dir" writes model.json and
// group1-shard1of1.bin, tfjs' names, into dir. In browsers, models are also
// kept in IndexedDB ("indexeddb://name", indexed-db.ts) and saved as
// downloads ("downloads://name", downloads.ts), as tfjs does.
//
// The core has no Node import: the Node entry installs a FileSystem
// (src/platform/node.ts), the same pattern as its wasm loader. Without one,
// paths are fetched relative to the page or worker (`location`). Likewise
// the browser entry installs the browser schemes, so that the other
// bundles do not carry them.

import { ConfigError, messageOf, ModelFormatError } from "../errors.js";
import type { ModelJson, SavedModel } from "./format.js";
import { describeJson, isObject } from "./json-read.js";
import { browserStorage, fileSystem, type BrowserStorage, type FileSystem } from "./hooks.js";

export type { BrowserStorage, FileSystem } from "./hooks.js";

/** The ConfigError for a browser scheme where the runtime lacks what it needs, saying what to use instead. */
export function schemeUnavailable(what: "save" | "loadModel", location: string, scheme: "indexeddb" | "downloads"): ConfigError {
  if (scheme === "downloads") {
    return new ConfigError(`${what}: ${location}: the downloads:// scheme needs a page (a document to click a download ` +
      "link in), and there is none here (Node, or a worker); on Node save to \"file://<directory>\", in a worker use " +
      "\"indexeddb://<name>\" or save() for { modelJson, weights }");
  }
  const instead = what === "save"
    ? "on Node save to \"file://<directory>\", or call save() for { modelJson, weights } to store as you like"
    : "on Node load from a path (\"dir/model.json\" or \"file://dir/model.json\") or URL, or from { modelJson, weights }";
  return new ConfigError(`${what}: ${location}: the indexeddb:// scheme needs a browser's IndexedDB (a page or a worker), ` +
    `and there is none here; ${instead}`);
}

/** tfjs' name of a download when downloads:// names none. */
const DEFAULT_DOWNLOAD = "model";

/** The files `downloads://<name>` writes, and the manifest's path of the weights (tfjs' names). */
export function downloadNames(location: string): { json: string; weights: string; manifestPath: string } {
  const name = location.slice("downloads://".length) || DEFAULT_DOWNLOAD;
  // A browser drops or mangles folders in a download's name, and the json would then name a file that is not there.
  if (/[/\\]/.test(name)) {
    throw new ConfigError(`save: ${JSON.stringify(location)}: a download is a file name, not a path (no / or \\)`);
  }
  const weights = `${name}.weights.bin`;
  return { json: `${name}.json`, weights, manifestPath: `./${weights}` };
}

/** A File (or anything with a name and the bytes): what `<input type="file" multiple>` hands over. */
export interface ModelFile {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Where {@link loadModel} reads a model from: a URL, a path, or the files themselves. */
export type ModelSource = string | URL | readonly ModelFile[] | ArrayLike<ModelFile>;

/** What {@link Model.save} returns when it saved to a destination: the model, and where it went. */
export interface SavedFiles extends SavedModel {
  /**
   * `file://`: the absolute paths of model.json and the weights shard;
   * `downloads://`: the names of the two files downloaded (`name.json`,
   * `name.weights.bin`); `indexeddb://`: the location itself.
   */
  files: string[];
}

/** tfjs' name for the one shard of one weight group. */
export const SHARD_NAME = "group1-shard1of1.bin";

/** A model.json's text and bytes, read from a source, plus how to read its shards. */
export interface FetchedModel {
  /** How messages name model.json (its path or URL, or the File's name). */
  label: string;
  json: string;
  /** The shards the manifest lists, read; each labelled for messages. */
  shards(paths: readonly string[]): Promise<{ label: string; bytes: Uint8Array }[]>;
}

const isFileLike = (v: unknown): v is ModelFile =>
  typeof v === "object" && v !== null && typeof (v as ModelFile).name === "string" &&
  typeof (v as ModelFile).arrayBuffer === "function";

/** True when loadModel's first argument names files rather than holding the model.json itself. */
export function isModelSource(first: unknown, second: unknown): boolean {
  if (first instanceof URL) return true;
  if (typeof first === "string") {
    if (first.trimStart().startsWith("{")) return false;
    // loadModel(jsonText, weights) stays the in-memory form.
    const isOptions = second === undefined || (isObject(second) && !(second instanceof ArrayBuffer) && !ArrayBuffer.isView(second));
    return isOptions;
  }
  // An array of Files or a FileList.
  if (typeof first === "object" && first !== null && !(first instanceof ArrayBuffer) && !ArrayBuffer.isView(first)) {
    const list = first as ArrayLike<unknown>;
    return typeof list.length === "number" && list.length > 0 && isFileLike(list[0]);
  }
  return false;
}

/** A scheme of two letters or more (so `C:\models` stays a Windows path). */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** "file://dir/x" -> "dir/x" (tfjs-node's reading: what follows file:// is a path, relative or absolute). */
function filePath(location: string): string {
  return location.slice("file://".length);
}

async function fetchBytes(url: URL, what: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`${what}: fetching ${url.href} failed: ${messageOf(e)}`);
  }
  if (!response.ok) throw new Error(`${what}: fetching ${url.href} failed: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return new Uint8Array(await response.arrayBuffer());
}

async function readPath(fs: FileSystem, path: string | URL, what: string): Promise<Uint8Array> {
  try {
    return await fs.read(path);
  } catch (e) {
    throw new Error(`${what}: cannot read ${String(path)}: ${messageOf(e)}`);
  }
}

const decoder = new TextDecoder();

/** Reads model.json from `source` and prepares the shard reader. */
export async function fetchModel(source: unknown): Promise<FetchedModel> {
  if (typeof source === "string") {
    const scheme = schemeOf(source);
    if (scheme === "indexeddb") {
      const storage = browserStorage();
      if (storage === null) throw schemeUnavailable("loadModel", source, "indexeddb");
      return fromIndexedDb(await storage, source);
    }
    if (scheme === "downloads") {
      throw new ConfigError(`loadModel: ${source}: downloads:// only saves; load the two downloaded files ` +
        "with loadModel([jsonFile, weightsFile]) (e.g. an <input type=\"file\" multiple>'s files)");
    }
  }
  if (typeof source === "string" || source instanceof URL) return fetchLocation(source);
  return fromFiles(Array.from(source as ArrayLike<ModelFile>));
}

/** A shard that cannot be read: the model.json names a file that is not there, a format error. */
async function readShard(read: () => Promise<Uint8Array>, label: string, listed: string): Promise<Uint8Array> {
  try {
    return await read();
  } catch (e) {
    throw new ModelFormatError(`${label}: the weights shard ${JSON.stringify(listed)} that model.json lists ` +
      `cannot be read: ${messageOf(e).replace(/^loadModel: /, "")}`);
  }
}

async function fetchLocation(source: string | URL): Promise<FetchedModel> {
  const fs = fileSystem();
  const isFileUrl = source instanceof URL ? source.protocol === "file:" : source.startsWith("file://");
  const isPath = typeof source === "string" && !SCHEME.test(source);
  if (fs !== null && (isFileUrl || isPath)) {
    const path = source instanceof URL ? source : isFileUrl ? filePath(source) : source;
    const label = String(source);
    const bytes = await readPath(fs, path, "loadModel");
    return {
      label, json: decoder.decode(bytes),
      shards: (paths) => Promise.all(paths.map(async (p) => {
        const at = path instanceof URL ? new URL(p, path) : fs.sibling(path, p);
        const shardLabel = String(at);
        return { label: shardLabel, bytes: await readShard(() => readPath(fs, at, "loadModel"), shardLabel, p) };
      })),
    };
  }
  if (isFileUrl) {
    throw new Error(`loadModel: ${String(source)}: file:// locations are read from disk on Node's entry only; ` +
      "elsewhere pass an http(s) URL, a path the page can fetch, or File objects");
  }
  let url: URL;
  try {
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    url = source instanceof URL ? source : new URL(source, base);
  } catch {
    throw new Error(`loadModel: ${String(source)} is not a URL, and there is no page or worker location to resolve ` +
      "a relative path against: pass an absolute URL");
  }
  const bytes = await fetchBytes(url, "loadModel");
  return {
    label: url.href, json: decoder.decode(bytes),
    shards: (paths) => Promise.all(paths.map(async (p) => {
      const at = new URL(p, url);
      return { label: at.href, bytes: await readShard(() => fetchBytes(at, "loadModel"), at.href, p) };
    })),
  };
}

async function fromIndexedDb(storage: BrowserStorage, location: string): Promise<FetchedModel> {
  const { json, weights } = await storage.readFromIndexedDb(location);
  return {
    label: location, json,
    // The rebuilt manifest lists one path per stored buffer, in order.
    shards: async (paths) => paths.map((p, i) => ({ label: `${location} ${p}`, bytes: weights[i] ?? new Uint8Array(0) })),
  };
}

const baseName = (p: string): string => p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\")) + 1);

async function fromFiles(files: unknown[]): Promise<FetchedModel> {
  files.forEach((f, i) => {
    if (!isFileLike(f)) throw new ModelFormatError(`files[${i}]: expected a File (a name and arrayBuffer()), got ${describeJson(f)}`);
  });
  const list = files as ModelFile[];
  const names = list.map((f) => f.name).join(", ");
  const jsons = list.filter((f) => f.name.toLowerCase().endsWith(".json"));
  const main = list.find((f) => baseName(f.name) === "model.json") ?? (jsons.length === 1 ? jsons[0] : undefined);
  if (main === undefined) {
    throw new ModelFormatError(`files: ${jsons.length === 0 ? "no .json file" : "several .json files and none named model.json"} ` +
      `among the files given (${names})`);
  }
  const json = decoder.decode(await main.arrayBuffer());
  return {
    label: main.name, json,
    shards: (paths) => Promise.all(paths.map(async (p) => {
      const file = list.find((f) => baseName(f.name) === baseName(p));
      if (file === undefined) {
        throw new ModelFormatError(`${p}: model.json lists this weights shard, but no file of that name was given (${names})`);
      }
      return { label: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
    })),
  };
}

/** The scheme of "scheme://..." in lower case, or undefined. */
function schemeOf(location: string): string | undefined {
  return /^([a-z][a-z0-9+.-]+):\/\//i.exec(location)?.[1]?.toLowerCase();
}

/** The weights file's name that model.json's manifest gives for a save to `destination` (or in memory). */
export function weightsPathFor(destination: string | undefined): string {
  if (destination === undefined) return "weights.bin";
  return schemeOf(destination) === "downloads" ? downloadNames(destination).manifestPath : SHARD_NAME;
}

/**
 * Saves a model held in memory to `destination`: "file://dir" (Node),
 * "indexeddb://name" (browsers and workers), "downloads://name" (pages).
 * Returns where it went (see {@link SavedFiles.files}).
 */
export async function writeModelFiles(destination: string, saved: SavedModel): Promise<string[]> {
  const scheme = schemeOf(destination);
  if (scheme === "indexeddb" || scheme === "downloads") {
    const loading = browserStorage();
    if (loading === null) throw schemeUnavailable("save", destination, scheme);
    const storage = await loading;
    if (scheme === "downloads") return storage.downloadModel(destination, saved);
    await storage.saveToIndexedDb(destination, saved);
    return [destination];
  }
  if (scheme !== "file") {
    throw new ConfigError(`save: cannot save to ${JSON.stringify(destination)}: the destinations are "file://<directory>" ` +
      "(Node), \"indexeddb://<name>\" and \"downloads://<name>\" (browsers); or call save() for { modelJson, weights } " +
      "to store as you like");
  }
  const fs = fileSystem();
  if (fs === null) {
    throw new ConfigError(`save: ${destination}: file:// writes to disk on Node's entry only; in a browser use ` +
      "\"indexeddb://<name>\" or \"downloads://<name>\", or save() for { modelJson, weights } to store as you like");
  }
  const dir = filePath(destination);
  if (dir === "") throw new ConfigError(`save: ${JSON.stringify(destination)} names no directory`);
  const modelJson: ModelJson = saved.modelJson;
  try {
    return await fs.writeFiles(dir, [
      { name: "model.json", data: new TextEncoder().encode(JSON.stringify(modelJson)) },
      { name: SHARD_NAME, data: new Uint8Array(saved.weights) },
    ]);
  } catch (e) {
    throw new Error(`save: writing ${destination} failed: ${messageOf(e)}`);
  }
}
