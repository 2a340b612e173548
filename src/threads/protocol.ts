// The layout of the pool's control block: one SharedArrayBuffer that the
// calling thread and every worker see. A kernel call crosses threads as a
// descriptor written here (which export, its numeric arguments), never as
// a message: the caller writes a worker's slot, bumps the slot's sequence
// word and wakes it with Atomics.notify; the worker runs the call on its
// own instance (same module, same shared memory) and counts `PENDING`
// down. Shared by src/threads/pool.ts and the worker scripts
// (worker-node.ts, worker-browser.ts), which must not import anything else
// of the library.

/** Int32 index: worker tasks posted and not finished yet; the caller waits on it. */
export const PENDING = 0;
/** Int32 index: set to 1 when a worker's kernel call threw (a trap). */
export const FAILED = 1;
/** Int32 index: set to 1 to make every worker leave its loop. */
export const QUIT = 2;
/**
 * Int32 index: set to 1 (after the worker's own DEAD word, see markDead)
 * once any worker has ended: a call waiting for it would wait forever.
 */
export const DEAD = 3;
/**
 * Polls (Atomics.load) a waiting side makes before it sleeps in
 * Atomics.wait: ~200 us here (a poll is ~6.5 ns once optimized). The
 * futex sleep and wake-up cost tens of us each time. A worker sleeping
 * through a model's one-thread stretches (a pooling layer, the small
 * Dense layers, the optimizer's bookkeeping) made the next split call wait
 * for its wake-up: LeNet-5 at batch 64 split 3 calls a predict and lost
 * ~20 us on each of 2 after 5,000 polls (~33 us). 5,000 -> 30,000, 2
 * threads against 1 (one bench run each): LeNet batch 64 1.61x -> 1.74x,
 * LeNet training at batch 32 1.56x -> 1.68x, MobileNetV2 1.0 batch 1 1.59x
 * -> 1.65x. An idle worker then spins ~200 us after its last task before
 * it sleeps, as ONNX Runtime's pool spins before it parks a thread.
 */
export const SPIN_POLLS = 30000;
/** Int32 words before the first worker slot. */
const HEADER_WORDS = 4;

/** Most numeric arguments an export takes (a geometry is 12, plus up to 10). */
export const MAX_ARGS = 24;
/** Int32 words of one worker slot: sequence, export id, open, dead, then MAX_ARGS f64 (8-byte aligned). */
const SLOT_WORDS = 4 + 2 * MAX_ARGS;

/** Int32 index of worker w's sequence word (bumped once per task). */
export const seqIndex = (w: number): number => HEADER_WORDS + w * SLOT_WORDS;
/** Int32 index of worker w's export id. */
export const idIndex = (w: number): number => seqIndex(w) + 1;
/**
 * Int32 index of worker w's open word: 1 from the post of a task until
 * someone counts that task down. Whoever swaps it back to 0 (the worker when
 * done, or whoever finds the worker dead) does the count-down, so a task is
 * counted exactly once however the worker ends.
 */
const openIndex = (w: number): number => seqIndex(w) + 2;
/** Int32 index of worker w's dead word: 1 once it has ended. */
const deadIndex = (w: number): number => seqIndex(w) + 3;
/** Float64 index of worker w's first argument. */
export const argIndex = (w: number): number => (seqIndex(w) + 4) / 2;

/** The caller, posting a task to worker w (before its sequence bump, which releases it). */
export function openTask(ctl: Int32Array, w: number): void {
  Atomics.store(ctl, openIndex(w), 1);
  Atomics.add(ctl, PENDING, 1);
}

/** Counts worker w's task down, unless someone already has. */
export function closeTask(ctl: Int32Array, w: number): void {
  if (Atomics.exchange(ctl, openIndex(w), 0) === 1 && Atomics.sub(ctl, PENDING, 1) === 1) Atomics.notify(ctl, PENDING);
}

/**
 * Worker w has ended, or is ending: called by the worker on its way out,
 * by whoever sees its end (Node's supervisor thread, a browser's watcher
 * worker, the pool's own handlers) and by a waiting caller that finds DEAD
 * set. The order makes a task posted concurrently safe: the caller stores
 * its open word, then loads DEAD before it sleeps; this stores DEAD, then
 * swaps the open word. Either the caller sees DEAD (and closes the task
 * itself), or this swap sees the task open (and closes it, waking the caller).
 */
export function markDead(ctl: Int32Array, w: number): void {
  Atomics.store(ctl, deadIndex(w), 1);
  Atomics.store(ctl, DEAD, 1);
  closeTask(ctl, w);
  Atomics.notify(ctl, PENDING);
}

/** The caller found DEAD set: closes the tasks of every dead worker, so its wait ends with the live ones. */
export function closeDeadTasks(ctl: Int32Array, workers: number): void {
  for (let w = 0; w < workers; w++) if (Atomics.load(ctl, deadIndex(w)) !== 0) closeTask(ctl, w);
}

/** Bytes of the control block for `workers` workers. */
export const controlBytes = (workers: number): number => (HEADER_WORDS + workers * SLOT_WORDS) * 4;

/** The exports a worker can run, by id (the index here). Raw wasm signatures: a geometry is 12 i32. */
export const TASK_EXPORTS = [
  "gemm", "conv2d", "depthwiseConv2d", "maxPool2d", "avgPool2d",
  "gemmBackwardInput", "gemmBackwardFilterRows", "conv2dBackwardInput", "conv2dBackwardFilterTiles",
  "depthwiseConv2dBackwardFilterChannels", "depthwiseConv2dBackwardInput", "maxPool2dBackward", "avgPool2dBackward",
  "activation", "activationBackward", "binary", "maximumBackward", "dropoutForward", "sgdUpdate", "adamUpdate", "softmax",
  "softmaxBackward", "channelAffine", "channelMomentsChannels", "batchNormBackwardChannels", "batchNormBackwardDx",
  "copyRows",
] as const;
export type TaskExport = (typeof TASK_EXPORTS)[number];

/** What a worker is started with (its `workerData`). */
export interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** This worker's slot. */
  index: number;
  /** Its instance's scratch block (setScratch). */
  scratch: number;
}
