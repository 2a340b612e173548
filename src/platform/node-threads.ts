// Node's pool workers: worker_threads, loaded on first use (this module is
// in the node entry; node:worker_threads is imported only when init() asks
// for threads). The worker script is dist/threads-worker.js, next to the
// bundle (`import.meta.url`; rollup rewrites it for the CommonJS build).

import { availableParallelism } from "node:os";
import type { StartThreads } from "../backend/registry.js";
import type { SpawnWorker } from "../threads/pool.js";
import { loadWasmFromDisk } from "./node.js";
import { messageOf } from "../errors.js";

/** init({ threads }) on Node: the threads code loads now, on first use. */
export const startNodeThreads: StartThreads = async (kernels, single, asked, ownBinary) => {
  const { startThreaded } = await import("../threads/backend.js");
  return startThreaded(kernels, single, asked, ownBinary,
    { spawn: spawnNodeWorker, parallelism: availableParallelism, load: loadWasmFromDisk });
};

const spawnNodeWorker: SpawnWorker = async (start, ended) => {
  const { Worker } = await import("node:worker_threads");
  const bundleUrl = (import.meta as { url?: string }).url;
  // The process's flags, but --input-type (node --input-type=module -e ...),
  // which a worker started from a file refuses.
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith("--input-type"));
  const worker = new Worker(new URL("./threads-worker.js", bundleUrl), { workerData: start, execArgv });
  // Referenced until ready (the await below is no event-loop handle of its
  // own), then not: an idle pool must not keep Node alive.
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown): void => {
      worker.off("message", ready);
      reject(e instanceof Error ? e : new Error(`the worker exited with code ${String(e)} before it was ready`));
    };
    const ready = (): void => {
      worker.off("error", fail).off("exit", fail);
      resolve();
    };
    worker.once("message", ready).once("error", fail).once("exit", fail);
  });
  worker.unref();
  // A listener also keeps an uncaught error in the worker from being thrown in this thread.
  worker.once("error", (e) => ended(messageOf(e))).once("exit", (code) => ended(`it exited with code ${code}`));
  return { terminate: () => void worker.terminate() };
};
