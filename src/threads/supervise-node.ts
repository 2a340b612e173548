// Node's supervisor thread: it owns the pool's workers, so their "exit"
// events come to its event loop, which is never blocked. The calling
// thread's is, during a call (Atomics.wait), so it could not see a worker
// end that ran none of its own JS on the way out (terminated, out of
// memory). The supervisor marks such a worker DEAD in the control block,
// which ends the caller's wait (protocol.ts markDead), then tells the
// calling thread why. It runs dist/threads-worker.js too, in this role when
// its workerData says so (worker-node.ts), and starts the workers from the
// same script.

import { Worker, parentPort } from "node:worker_threads";
import { QUIT, markDead, type WorkerStart } from "./protocol.js";

/** A supervisor's workerData: one start per worker. */
export interface SupervisorStart {
  supervise: readonly WorkerStart[];
}

/** What the supervisor tells the calling thread. */
export type SupervisorMessage = "ready" | { error: string } | { ended: number; why: string };

/** Starts one worker per start from `script`, says "ready" once all are, or why one failed. */
export function supervise(starts: readonly WorkerStart[], script: URL): void {
  const tell = (message: SupervisorMessage): void => parentPort!.postMessage(message);
  let ready = 0;
  let failed = false;
  starts.forEach((start, w) => {
    const ctl = new Int32Array(start.control);
    // No execArgv: a worker inherits this thread's, which the calling thread chose.
    const worker = new Worker(script, { workerData: start });
    let isReady = false;
    let error: string | null = null;
    worker.once("message", () => {
      isReady = true;
      if (++ready === starts.length && !failed) tell("ready");
    });
    // A listener also keeps an uncaught error in the worker from being thrown here.
    worker.on("error", (e) => {
      error ??= e instanceof Error ? e.message : String(e);
    });
    worker.once("exit", (code) => {
      const why = error ?? `it exited with code ${code}`;
      if (!isReady) {
        if (!failed) tell({ error: error ?? `the worker exited with code ${code} before it was ready` });
        failed = true;
      } else if (Atomics.load(ctl, QUIT) === 0) {
        markDead(ctl, w);
        tell({ ended: w, why });
      }
    });
  });
}
