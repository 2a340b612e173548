// Starting the threaded backend (a lazy chunk: init() imports it only when
// more than one thread is asked for, so single-threaded users, browsers and
// edge runtimes never load it). One compiled module, one shared memory: the
// calling thread's instance serves the arena and part 0 of every split call,
// each worker instantiates the same module on the same memory.

import { Arena } from "../memory.js";
import { createWasmKernelsFromInstance } from "../backend/wasm.js";
import type { Kernels } from "../backend/kernels.js";
import { messageOf } from "../errors.js";
import { Pool, type SpawnWorkers, type WorkerHandle } from "./pool.js";
import { splitKernels, type PartExports, type WorkerScratch } from "./split.js";

/** The memory's ceiling, in 64 KiB pages: the threaded builds declare 32768 (2 GiB), a shared memory must say it. */
const MAXIMUM_PAGES = 32768;

/** A running threaded backend. */
export interface Threaded {
  kernels: Kernels;
  arena: Arena;
  pool: Pool;
}

/**
 * Instantiates the threaded build `module` on a new shared memory and starts
 * `threads - 1` workers on it. Resolves with the backend, or with a string
 * saying why it could not (a worker that failed to start, no
 * SharedArrayBuffer...), after stopping whatever it had started.
 */
export async function startThreads(module: WebAssembly.Module, threads: number, spawn: SpawnWorkers):
  Promise<Threaded | string> {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    return "this runtime has no SharedArrayBuffer";
  }
  let memory: WebAssembly.Memory;
  let instance: WebAssembly.Instance;
  try {
    memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
    instance = await WebAssembly.instantiate(module, { env: { memory } });
  } catch (e) {
    return `the threaded wasm build could not be instantiated on a shared memory: ${messageOf(e)}`;
  }
  const base = createWasmKernelsFromInstance(instance);
  const exports = instance.exports as { scratchBytes(): number; setScratch(ptr: number): void };
  const arena = new Arena(base.memory, base.heapBase);
  const block = exports.scratchBytes() / 4;
  exports.setScratch(arena.alloc(block));
  const pool = new Pool(Array.from({ length: threads - 1 }, () => ({ module, memory, scratch: arena.alloc(block) })), spawn);
  const failed = await pool.start();
  if (failed !== null) return `a worker thread failed to start: ${failed}`;
  return { kernels: splitKernels(base, pool, workerScratch(arena, threads - 1), instance.exports as unknown as PartExports), arena, pool };
}

/** Each worker's conv2d scratch: one block per worker, replaced by a bigger one when a call needs more. */
function workerScratch(arena: Arena, workers: number): WorkerScratch {
  const blocks = Array.from({ length: workers }, () => ({ ptr: 0, floats: 0 }));
  return {
    get(w, floats) {
      const b = blocks[w]!;
      if (b.floats < floats) {
        if (b.ptr !== 0) arena.free(b.ptr);
        b.ptr = arena.alloc(floats);
        b.floats = floats;
      }
      return b.ptr;
    },
  };
}

export type { SpawnWorkers, WorkerHandle };

/** The threaded build, compiled once: the caller's instance and every worker's come from this one Module. */
export async function compileThreaded(binary: WebAssembly.Module | BufferSource | Response): Promise<WebAssembly.Module> {
  if (binary instanceof WebAssembly.Module) return binary;
  const bytes = "arrayBuffer" in binary && typeof binary.arrayBuffer === "function" ? await binary.arrayBuffer() : binary as BufferSource;
  return WebAssembly.compile(bytes);
}
