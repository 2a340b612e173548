// Node's pool workers: worker_threads, loaded on first use (this module is
// in the node entry; node:worker_threads is imported only when init() asks
// for threads). The script of the supervisor and the workers is
// dist/threads-worker.js, next to the bundle (`import.meta.url`; rollup
// rewrites it for the CommonJS build). Deno and Bun run this entry too,
// with their own node:worker_threads.

import { availableParallelism } from "node:os";
import type { StartThreads } from "../backend/registry.js";
import type { Worker, WorkerOptions } from "node:worker_threads";
import type { SpawnWorkers } from "../threads/pool.js";
import type { SupervisorMessage, SupervisorStart } from "../threads/supervise-node.js";
import { loadWasmFromDisk } from "./node.js";
import { messageOf } from "../errors.js";

/** init({ threads }) on Node: the threads code loads now, on first use. */
export const startNodeThreads: StartThreads = async (kernels, single, asked, ownBinary) => {
  const { startThreaded } = await import("../threads/backend.js");
  return startThreaded(kernels, single, asked, ownBinary,
    { spawn: spawnNodeWorkers, parallelism: availableParallelism, load: loadWasmFromDisk });
};

/**
 * One supervisor thread (dist/threads-worker.js in that role), which starts
 * the workers and watches them end (src/threads/supervise-node.ts).
 * Referenced until ready (the awaits are no event-loop handles of their
 * own), then not: an idle pool must not keep Node alive.
 */
const spawnNodeWorkers: SpawnWorkers = (starts, ended) => {
  let supervisor: Worker | null = null;
  let stopped = false;
  const ready = (async () => {
    const { Worker } = await import("node:worker_threads");
    if (stopped) throw new Error("the pool was stopped while starting");
    const started = startWorker(Worker, new URL("./threads-worker.js", (import.meta as { url?: string }).url),
      { workerData: { supervise: starts } satisfies SupervisorStart });
    supervisor = started;
    await new Promise<void>((resolve, reject) => {
      started.on("message", (m: SupervisorMessage) => {
        if (m === "ready") resolve();
        else if ("error" in m) reject(new Error(m.error));
        else ended(m.ended, m.why);
      });
      // Before ready, a failed start; after, the workers went with it (idle: a call would have seen them marked).
      started.once("error", (e) => {
        reject(e);
        ended(0, `the supervisor thread failed: ${messageOf(e)}`);
      }).once("exit", (code) => {
        reject(new Error(`the supervisor thread exited with code ${code} before the workers were ready`));
        ended(0, `the supervisor thread exited with code ${code}`);
      });
    });
    started.unref();
  })();
  return {
    ready,
    terminate: () => {
      stopped = true;
      void supervisor?.terminate();
    },
  };
};

/**
 * A worker with the process's flags, but --input-type (node
 * --input-type=module -e ...), which a worker started from a file refuses,
 * and the V8 and process-wide ones (--max-old-space-size...), which a
 * worker's execArgv refuses and which apply to every thread anyway.
 */
function startWorker(Worker: typeof import("node:worker_threads").Worker, url: URL, options: WorkerOptions): Worker {
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith("--input-type"));
  try {
    return new Worker(url, { ...options, execArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    // The error lists the refused flags: Node has no API that tells them apart beforehand.
    const refused = messageOf(e);
    return new Worker(url, { ...options, execArgv: execArgv.filter((flag) => !refused.includes(flag)) });
  }
}
