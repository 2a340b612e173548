// init({ threads }) past the option itself: the count, starting the
// threaded backend (or saying why not) and the state that stops and
// restarts its pool with the models. A lazy chunk, loaded when more than
// one thread is asked for (src/platform/node-threads.ts on Node,
// browser-threads.ts in browsers).

import { messageOf } from "../errors.js";
import type { Kernels } from "../backend/kernels.js";
import type { Capabilities, State } from "../backend/registry.js";
import type { ThreadedBinary } from "../platform/variant.js";
import { compileThreaded, startThreads, type SpawnWorkers, type Threaded } from "./start.js";

/** How a platform starts pool workers, counts cores and loads the threaded builds. */
export interface ThreadSupport {
  spawn: SpawnWorkers;
  /** Cores this process may use (`threads: "auto"`). */
  parallelism(): number;
  /** Loads a threaded build (dist/wasm/<variant>-threads.wasm). */
  load(binary: ThreadedBinary): Promise<WebAssembly.Module | BufferSource | Response>;
}

/**
 * The threaded backend for `kernels`' build on `threads` threads, its
 * capabilities those of the one-thread backend (`single`) plus the threads;
 * or why it cannot start (the caller keeps the one-thread backend).
 */
export async function startThreaded(kernels: Kernels, single: Capabilities, asked: number | "auto", ownBinary: boolean,
  support: ThreadSupport): Promise<State | string> {
  const threads = asked === "auto" ? Math.min(MAX_AUTO_THREADS, support.parallelism()) : asked;
  if (threads <= 1) return "this machine has one core";
  const started = await startPool(kernels, threads, ownBinary, support);
  if (typeof started === "string") return started;
  return threadedState(started, single.reason, {
    ...single, threads, binary: `${kernels.name}-threads`,
    reason: `${single.reason} It runs on ${threads} threads (the calling one and ${threads - 1} worker${threads > 2 ? "s" : ""}) over a shared memory.`,
  });
}

/** "auto" takes at most this many threads. */
const MAX_AUTO_THREADS = 8;

/**
 * Loads the threaded build of `kernels`' variant and starts its pool (a
 * lazy chunk). Returns why not, instead, when it cannot: the caller keeps
 * the one-thread backend it already has.
 */
async function startPool(kernels: Kernels, threads: number, ownBinary: boolean, support: ThreadSupport):
  Promise<Threaded | string> {
  if (kernels.name === "js") return "the plain-JS backend has no threads";
  if (kernels.name === "scalar") return "there is no threaded scalar build (threads need SIMD here)";
  if (ownBinary) return "a wasm binary passed to init() runs as it is, single-threaded";
  try {
    const module = await compileThreaded(await support.load(`${kernels.name}-threads`));
    return await startThreads(module, threads, support.spawn);
  } catch (e) {
    return `the threaded '${kernels.name}' build failed to load: ${messageOf(e)}`;
  }
}

/**
 * The state of a threaded backend: it counts models, stops the pool when
 * the last one is disposed (no idle workers left behind) and starts it
 * again for the next model. Until that start completes, calls run on the
 * calling thread alone, with the same results. A worker that ends on its
 * own stops the pool for good (until the next init()).
 */
function threadedState(started: Threaded, singleReason: string, capabilities: Capabilities): State {
  const { pool } = started;
  const threads = capabilities.threads;
  const reason = capabilities.reason;
  let models = 0;
  let restart: Promise<void> | null = null;
  pool.onDeath = (why) => {
    capabilities.threads = 1;
    capabilities.reason = `${singleReason} It ran on ${threads} threads until a worker ended (${why}); ` +
      `the pool was stopped, so it runs on one thread now.`;
  };
  return {
    kernels: started.kernels, arena: started.arena, capabilities,
    retain: () => {
      if (models++ > 0 || pool.size > 0 || restart !== null || pool.death !== null) return;
      restart = pool.start().then((failed) => {
        restart = null;
        capabilities.threads = failed === null ? threads : 1;
        capabilities.reason = failed === null ? reason
          : `${reason} Its workers were stopped with the last model, and starting them again failed: ${failed}.`;
      });
    },
    release: () => {
      if (--models > 0 || pool.death !== null) return;
      pool.stop();
      capabilities.threads = 1;
      capabilities.reason = `${reason} Its workers were stopped when the last model was disposed; the next model starts them again.`;
    },
    stop: () => pool.stop(),
  };
}

