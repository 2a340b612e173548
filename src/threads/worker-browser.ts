// The script of a browser pool worker, a module Web Worker (bundled alone
// as dist/threads-worker-browser.js): its first message is its start (the
// compiled module, the shared memory, the control block); it answers
// "ready" once its instance exists, or { error } when it cannot, then
// serves until told to quit. It blocks in Atomics.wait between tasks,
// which a worker may do.

import { markDead, prepare, serve } from "./serve.js";
import type { WorkerStart } from "./protocol.js";

addEventListener("message", (event: MessageEvent<WorkerStart>) => {
  const start = event.data;
  // The caller may be spinning on the control block: it cannot see this
  // worker's "error" event until its call returns.
  addEventListener("error", () => markDead(start));
  prepare(start).then((tasks) => {
    postMessage("ready");
    serve(start, tasks);
  }, (e: unknown) => postMessage({ error: e instanceof Error ? e.message : String(e) }));
}, { once: true });
// A start that cannot be received here (a shared memory outside a cross-origin-isolated page).
addEventListener("messageerror", () => postMessage({ error: "the worker could not receive its shared memory" }));
