// Failures of the browser pool, run on the threads fixture page (plain
// JavaScript, types in threads-failure-scenario.d.ts). The page's Worker
// class is replaced before init() starts the pool, so a scenario can reach
// the pool's Web Workers, which the library keeps to itself: the first one
// made is the pool's worker, the second its watcher.
import { BATCH, buildThreadsModel } from "./threads-scenario.js";

/** Runs `body` with `Worker` replaced by `Replacement`, then puts it back. */
async function withWorker(Replacement, body) {
  const native = globalThis.Worker;
  globalThis.Worker = Replacement(native);
  try {
    return await body();
  } finally {
    globalThis.Worker = native;
  }
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * init({ threads: 2 }), predict once, then the page terminates the pool's
 * worker. Chromium ends a worker that does not yield (this one waits in
 * Atomics.wait) by force, from a task of the page's own event loop, ~2 s
 * later. So the page yields between predicts, each of which starts the
 * worker's part, until one throws, or until the page has heard of the end
 * and runs on one thread; then it predicts once more.
 *
 * `deaf`: the page drops the watcher's messages, as a page busy in a call
 * cannot run them: then only the control block tells the caller, and the
 * first predict after the worker's end must throw a BackendError.
 */
export async function terminateWorker(lib, { x, deaf }) {
  const made = [];
  return withWorker((native) => class extends native {
    constructor(...args) {
      super(...args);
      made.push(this);
    }
  }, async () => {
    const initReturned = await lib.init({ backend: "simd", threads: 2 });
    const model = buildThreadsModel(lib);
    try {
      const xs = Float32Array.from(x);
      model.predict(xs);
      const threadsMade = made.length;
      if (deaf) made[1].onmessage = null;
      made[0].terminate();
      const started = performance.now();
      let error = null;
      let calls = 0;
      while (error === null && performance.now() - started < 8_000 && lib.capabilities().threads === 2) {
        await sleep(20);
        calls++;
        try {
          model.predict(xs);
        } catch (e) {
          error = { name: e.name, message: e.message };
        }
      }
      const ms = performance.now() - started;
      const after = lib.capabilities();
      const next = Array.from(model.predict(xs).toArray().slice(0, 3));
      return { initReturned, threadsMade, error, calls, ms, after, next };
    } finally {
      model.dispose();
    }
  });
}

/** init({ threads: 2 }) with Web Workers that never answer their start: it must resolve, on one thread. */
export async function neverAnswers(lib) {
  return withWorker((native) => class extends native {
    postMessage() {}
  }, async () => {
    const started = performance.now();
    const initReturned = await lib.init({ backend: "simd", threads: 2 });
    return { initReturned, ms: performance.now() - started };
  });
}
