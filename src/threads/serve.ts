// A worker's side of the pool, whatever starts the worker (Node's
// worker_threads, a browser's module Web Worker):
// instantiate the shared module on the shared memory, point the instance at
// its scratch block, then run descriptors until told to quit.

import {
  FAILED, MAX_ARGS, QUIT, SPIN_POLLS, TASK_EXPORTS, argIndex, closeTask, idIndex, markDead as markWorkerDead, seqIndex,
  type WorkerStart,
} from "./protocol.js";

type WasmFunction = (...args: number[]) => unknown;

/** The worker's instance, ready to serve. @throws whatever instantiation throws. */
export async function prepare(start: WorkerStart): Promise<WasmFunction[]> {
  const instance = await WebAssembly.instantiate(start.module, { env: { memory: start.memory } });
  const exports = instance.exports as Record<string, WasmFunction>;
  exports.setScratch!(start.scratch);
  return TASK_EXPORTS.map((name) => exports[name]!);
}

/** Runs this worker's tasks until QUIT: blocks in Atomics.wait between them, so an idle worker costs no CPU. */
export function serve(start: WorkerStart, tasks: WasmFunction[]): void {
  const ctl = new Int32Array(start.control);
  const f64 = new Float64Array(start.control);
  const seqAt = seqIndex(start.index);
  const args: number[] = new Array<number>(MAX_ARGS).fill(0);
  // 0, not the word's current value: the caller may post the first task
  // as soon as "ready" arrives, before this line runs (each start has a
  // fresh control block, so every sequence word starts at 0).
  let seq = 0;
  for (;;) {
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(ctl, seqAt) === seq; spin++);
    Atomics.wait(ctl, seqAt, seq);
    const now = Atomics.load(ctl, seqAt);
    if (now === seq) continue;
    seq = now;
    if (Atomics.load(ctl, QUIT) !== 0) return;
    const at = argIndex(start.index);
    for (let i = 0; i < MAX_ARGS; i++) args[i] = f64[at + i]!;
    try {
      // Extra arguments past an export's arity are dropped by wasm.
      tasks[Atomics.load(ctl, idIndex(start.index))]!.apply(undefined, args);
    } catch {
      Atomics.store(ctl, FAILED, 1);
    }
    closeTask(ctl, start.index);
  }
}

/**
 * Called by a worker script as its thread ends (Node's process "exit", a
 * browser worker's uncaught "error"). It marks the pool DEAD and counts
 * this worker's unfinished task down, so the caller's wait ends as soon as
 * the other workers finish theirs (none of them still writes when the call
 * returns) and the call fails instead of waiting for this worker forever.
 * A worker ended so hard that this never runs (terminated, out of memory)
 * is marked by a thread that sees it end (Node's supervisor, a browser's
 * watcher), the same way.
 */
export function markDead(start: WorkerStart): void {
  markWorkerDead(new Int32Array(start.control), start.index);
}
