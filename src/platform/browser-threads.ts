// Browsers' pool workers: module Web Workers, on pages that are cross-origin
// isolated (served with Cross-Origin-Opener-Policy: same-origin and
// Cross-Origin-Embedder-Policy: require-corp), the only pages with
// SharedArrayBuffer and shared wasm memory. A lazy chunk of the browser
// build (dist/browser-threads-<hash>.js, beside the entry: see
// rollup.config.mjs), imported by the browser entry's thread starter only
// when init() asks for more than one thread. Its URLs are literals,
// `new URL("./wasm/…", import.meta.url)`, the form Vite and webpack follow
// to emit the worker script and the threaded binaries with a bundle; for
// esbuild and Rollup, which leave them as written, the wasm/ folder copied
// next to the bundle holds all three (docs/bundlers.md).

import { fetchWasm, type StartThreads } from "../backend/registry.js";
import { messageOf } from "../errors.js";
import { startThreaded } from "../threads/backend.js";
import type { SpawnWorkers } from "../threads/pool.js";
import type { BrowserReply, BrowserStart } from "../threads/worker-browser.js";
import type { ThreadedBinary } from "./variant.js";

/** init({ threads }) in a browser (or a worker of one). A short name: the entry's first load spells it. */
export const start: StartThreads = async (kernels, single, asked, ownBinary) => {
  if (globalThis.crossOriginIsolated !== true) {
    return "the page is not cross-origin isolated (threads need SharedArrayBuffer: serve it with the headers " +
      "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  return startThreaded(kernels, single, asked, ownBinary, {
    spawn: spawnWebWorkers,
    parallelism: () => navigator.hardwareConcurrency || 1,
    load: (binary) => {
      const url = threadedUrl(binary);
      return fetchWasm(url, `the '${binary}' wasm build from ${url.href}`);
    },
  });
};

function threadedUrl(binary: ThreadedBinary): URL {
  return binary === "relaxed-simd-threads" ? new URL("./wasm/relaxed-simd-threads.wasm", import.meta.url)
    : new URL("./wasm/simd-threads.wasm", import.meta.url);
}

/**
 * One module Web Worker per start, then the watcher (the same script in
 * that role, src/threads/worker-browser.ts), which sees each worker end
 * through the Web Lock the worker holds while it lives: a browser tells no
 * one else when a worker is terminated or crashes.
 */
const spawnWebWorkers: SpawnWorkers = (starts, ended) => {
  const threads: Worker[] = [];
  const ready = (async () => {
    if (typeof navigator.locks?.request !== "function") {
      throw new Error("this browser has no Web Locks (navigator.locks), by which the pool sees a worker end");
    }
    const pool = `simdcnn-pool-${crypto.randomUUID()}`;
    const locks = starts.map((_, w) => `${pool}-${w}`);
    await Promise.all(starts.map((start, w) => startThread({ work: start, lock: locks[w]! }, "ready")));
    const watcher = await startThread({ watch: starts[0]!.control, locks }, "watching");
    watcher.onmessage = (e: MessageEvent<BrowserReply>) => {
      if (typeof e.data === "object" && "ended" in e.data) ended(e.data.ended, "it ended (terminated, or it crashed)");
    };
  })();

  /** A pool thread with this first message, once it answers `expected`. */
  function startThread(message: BrowserStart, expected: "ready" | "watching"): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL("./wasm/threads-worker-browser.js", import.meta.url), { type: "module" });
      threads.push(worker);
      // The URL stays inline above, the form bundlers follow: this message names the file only.
      worker.onerror = (e) => reject(new Error(`the worker script threads-worker-browser.js failed: ${e.message || "it could not be loaded"}`));
      worker.onmessage = (e: MessageEvent<BrowserReply>) => {
        if (e.data !== expected) return reject(new Error(typeof e.data === "object" && "error" in e.data ? e.data.error : String(e.data)));
        // Later errors are uncaught ones while serving: the worker is gone.
        const w = "work" in message ? message.work.index : 0;
        worker.onerror = (e) => ended(w, e.message || "an uncaught error");
        worker.onmessage = null;
        resolve(worker);
      };
      try {
        worker.postMessage(message);
      } catch (e) {
        reject(new Error(`its start could not be posted: ${messageOf(e)}`));
      }
    });
  }

  return {
    ready,
    // The watcher first: a worker's end after QUIT is no news, but it need not be told.
    terminate: () => {
      for (const thread of threads.reverse()) thread.terminate();
      threads.length = 0;
    },
  };
};
