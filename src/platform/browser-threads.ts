// Browsers' pool workers: module Web Workers, on pages that are cross-origin
// isolated (served with Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp), the only pages with
// SharedArrayBuffer and shared wasm memory. A lazy chunk of the browser
// build (dist/chunks/browser-threads-<hash>.js), imported by the browser
// entry's thread starter only when init() asks for more than one thread.
// It always lands in dist/chunks/, so its URLs climb one folder: they are
// written as literals, `new URL("../…", import.meta.url)`, the form Vite
// and webpack follow to emit the worker script and the threaded binaries
// with a bundle (docs/bundlers.md).

import { fetchWasm, type StartThreads } from "../backend/registry.js";
import { messageOf } from "../errors.js";
import { startThreaded } from "../threads/backend.js";
import type { SpawnWorker } from "../threads/pool.js";
import type { ThreadedBinary } from "./variant.js";

/** init({ threads }) in a browser (or a worker of one). A short name: the entry's first load spells it. */
export const start: StartThreads = async (kernels, single, asked, ownBinary) => {
  if (globalThis.crossOriginIsolated !== true) {
    return "the page is not cross-origin isolated (threads need SharedArrayBuffer: serve it with the headers " +
      "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  return startThreaded(kernels, single, asked, ownBinary, {
    spawn: spawnWebWorker,
    parallelism: () => navigator.hardwareConcurrency || 1,
    load: (binary) => {
      const url = threadedUrl(binary);
      return fetchWasm(url, `the '${binary}' wasm build from ${url.href}`);
    },
  });
};

function threadedUrl(binary: ThreadedBinary): URL {
  return binary === "relaxed-simd-threads" ? new URL("../wasm/relaxed-simd-threads.wasm", import.meta.url)
    : new URL("../wasm/simd-threads.wasm", import.meta.url);
}

const spawnWebWorker: SpawnWorker = (start, ended) => new Promise((resolve, reject) => {
  const worker = new Worker(new URL("../threads-worker-browser.js", import.meta.url), { type: "module" });
  const fail = (why: string): void => {
    worker.terminate();
    reject(new Error(why));
  };
  // The URL stays inline above, the form bundlers follow: this message names the file only.
  worker.onerror = (e) => fail(`the worker script threads-worker-browser.js failed: ${e.message || "it could not be loaded"}`);
  worker.onmessage = (e: MessageEvent<"ready" | { error: string }>) => {
    if (e.data !== "ready") return fail(e.data.error);
    // Later errors are uncaught ones while serving: the worker is gone.
    worker.onerror = (e) => ended(e.message || "an uncaught error");
    worker.onmessage = null;
    resolve({ terminate: () => worker.terminate() });
  };
  try {
    worker.postMessage(start);
  } catch (e) {
    fail(`its start could not be posted: ${messageOf(e)}`);
  }
});
