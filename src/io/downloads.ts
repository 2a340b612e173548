// downloads://<name>: the page downloads `<name>.json` and
// `<name>.weights.bin` (tfjs' names and way: an <a download> clicked on a
// Blob URL, the json first). The json's manifest names the weights file
// "./<name>.weights.bin", so the two files picked back up in an
// <input type="file" multiple> load with loadModel(input.files).

import { ConfigError } from "../errors.js";
import type { SavedModel } from "./format.js";

const DOWNLOADS_SCHEME = "downloads://";

/** tfjs' name when none is given. */
const DEFAULT_NAME = "model";

/**
 * How long a Blob URL outlives its click. The download reads it after the
 * click returns, so revoking at once could cut it off; FileSaver.js waits 40 s.
 */
const REVOKE_AFTER_MS = 40_000;

/** The files `downloads://<name>` writes: the json and the weights, and the manifest's path of the weights. */
export function downloadNames(location: string): { json: string; weights: string; manifestPath: string } {
  const name = location.slice(DOWNLOADS_SCHEME.length) || DEFAULT_NAME;
  // A browser drops or mangles folders in a download's name, and the json would then name a file that is not there.
  if (/[/\\]/.test(name)) {
    throw new ConfigError(`save: ${JSON.stringify(location)}: a download is a file name, not a path (no / or \\)`);
  }
  const weights = `${name}.weights.bin`;
  return { json: `${name}.json`, weights, manifestPath: `./${weights}` };
}

/** Lets the task queue run once: tfjs clicks each anchor in its own task (Firefox keeps only the last of several clicks in one). */
const nextTask = (): Promise<void> => new Promise((ok) => setTimeout(ok, 0));

/** Starts the two downloads; returns their file names. */
export async function downloadModel(location: string, saved: SavedModel): Promise<string[]> {
  const names = downloadNames(location);
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined || typeof URL.createObjectURL !== "function") {
    throw new ConfigError(`save: ${location}: the downloads:// scheme needs a page (a document to click a download link in), ` +
      "and there is none here (Node, or a worker); on Node save to \"file://<directory>\", in a worker use " +
      "\"indexeddb://<name>\" or save() for { modelJson, weights }");
  }
  const files: [string, Blob][] = [
    [names.json, new Blob([JSON.stringify(saved.modelJson)], { type: "application/json" })],
    [names.weights, new Blob([saved.weights], { type: "application/octet-stream" })],
  ];
  for (const [name, blob] of files) {
    const url = URL.createObjectURL(blob);
    const a = doc.createElement("a");
    a.download = name;
    a.href = url;
    await nextTask();
    a.dispatchEvent(new MouseEvent("click"));
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
  return [names.json, names.weights];
}
