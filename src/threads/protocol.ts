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
 * Int32 index: set to 1 by a worker on its way out (or by the pool when it
 * sees a worker end): a call waiting for that worker would wait forever.
 */
export const DEAD = 3;
/**
 * Polls (Atomics.load) a waiting side makes before it sleeps in
 * Atomics.wait, ~30 us here: the futex sleep and wake-up cost tens of us
 * each time, and MobileNetV2 1.0 at batch 1 splits ~70 calls a predict
 * (2 threads: 14.7 -> 11.8 ms with both sides polling first).
 */
export const SPIN_POLLS = 5000;
/** Int32 words before the first worker slot. */
const HEADER_WORDS = 4;

/** Most numeric arguments an export takes (a geometry is 12, plus up to 10). */
export const MAX_ARGS = 24;
/** Int32 words of one worker slot: sequence, export id, then MAX_ARGS f64 (8-byte aligned). */
const SLOT_WORDS = 2 + 2 * MAX_ARGS;

/** Int32 index of worker w's sequence word (bumped once per task). */
export const seqIndex = (w: number): number => HEADER_WORDS + w * SLOT_WORDS;
/** Int32 index of worker w's export id. */
export const idIndex = (w: number): number => seqIndex(w) + 1;
/** Float64 index of worker w's first argument. */
export const argIndex = (w: number): number => (seqIndex(w) + 2) / 2;

/** Bytes of the control block for `workers` workers. */
export const controlBytes = (workers: number): number => (HEADER_WORDS + workers * SLOT_WORDS) * 4;

/** The exports a worker can run, by id (the index here). Raw wasm signatures: a geometry is 12 i32. */
export const TASK_EXPORTS = [
  "gemm", "conv2d", "depthwiseConv2d", "maxPool2d", "avgPool2d",
  "gemmBackwardInput", "gemmBackwardFilterRows", "conv2dBackwardInput", "conv2dBackwardFilterTiles",
  "depthwiseConv2dBackwardInput", "maxPool2dBackward", "avgPool2dBackward", "activation", "activationBackward", "binary",
  "maximumBackward", "dropoutForward", "sgdUpdate", "adamUpdate", "softmax", "softmaxBackward", "channelAffine",
  "channelMomentsChannels", "batchNormBackwardChannels", "batchNormBackwardDx",
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
