// The script of a browser pool thread, a module Web Worker (bundled alone as
// dist/threads-worker-browser.js), in one of two roles, set by its first
// message. A worker ({ work }) takes its Web Lock, instantiates the module
// on the shared memory, answers "ready" (or { error } when it cannot), then
// serves until told to quit, blocking in Atomics.wait between tasks (a
// worker may). It holds the lock until it ends. The watcher ({ watch })
// asks for every worker's lock: the browser grants one only once its
// worker has ended, however it ended (terminated, crashed, out of memory),
// so the watcher then marks that worker DEAD in the control block, which
// ends a wait on the page's main thread (spinning: its event loop cannot
// run until the call returns), and tells the page.

import { markDead, prepare, serve } from "./serve.js";
import { QUIT, markDead as markWorkerDead, type WorkerStart } from "./protocol.js";

/** A browser pool thread's first message. */
export type BrowserStart = { work: WorkerStart; lock: string } | { watch: SharedArrayBuffer; locks: readonly string[] };

/** What a browser pool thread answers: a worker "ready" or { error }; the watcher "watching", then { ended } per worker. */
export type BrowserReply = "ready" | "watching" | { error: string } | { ended: number };

const reply = (message: BrowserReply): void => postMessage(message);

addEventListener("message", (event: MessageEvent<BrowserStart>) => {
  const data = event.data;
  if ("watch" in data) return watch(data.watch, data.locks);
  const { work: start, lock } = data;
  // The page may be spinning on the control block: it cannot see this
  // worker's "error" event until its call returns.
  addEventListener("error", () => markDead(start));
  const fail = (e: unknown): void => reply({ error: e instanceof Error ? e.message : String(e) });
  navigator.locks.request(lock, () => prepare(start).then((tasks) => {
    reply("ready");
    serve(start, tasks);
    // Held until this worker ends: serve() returns on QUIT, and the pool terminates it then.
    return new Promise<never>(() => {});
  }, fail)).catch(fail);
}, { once: true });
// A start that cannot be received here (a shared memory outside a cross-origin-isolated page).
addEventListener("messageerror", () => reply({ error: "the worker could not receive its shared memory" }));

function watch(control: SharedArrayBuffer, locks: readonly string[]): void {
  const ctl = new Int32Array(control);
  locks.forEach((lock, w) => {
    void navigator.locks.request(lock, () => {
      // The pool stops its workers by setting QUIT first: that end is no news.
      if (Atomics.load(ctl, QUIT) !== 0) return;
      markWorkerDead(ctl, w);
      reply({ ended: w });
    });
  });
  reply("watching");
}
