// downloads://<name>: the page downloads `<name>.json` and
// `<name>.weights.bin` (tfjs' names and way: an <a download> clicked on a
// Blob URL, the json first). The json's manifest names the weights file
// "./<name>.weights.bin", so the two files picked back up in an
// <input type="file" multiple> load with loadModel(input.files).

import type { SavedModel } from "./format.js";
import { downloadNames, schemeUnavailable } from "./files.js";

/**
 * How long a Blob URL outlives its click. The download reads it after the
 * click returns, so revoking at once could cut it off; FileSaver.js waits 40 s.
 */
const REVOKE_AFTER_MS = 40_000;

/** Lets the task queue run once: tfjs clicks each anchor in its own task (Firefox keeps only the last of several clicks in one). */
const nextTask = (): Promise<void> => new Promise((ok) => setTimeout(ok, 0));

/** Starts the two downloads; returns their file names. */
export async function downloadModel(location: string, saved: SavedModel): Promise<string[]> {
  const names = downloadNames(location);
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined || typeof URL.createObjectURL !== "function") throw schemeUnavailable("save", location, "downloads");
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
