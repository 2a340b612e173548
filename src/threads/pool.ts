// The calling thread's side of the pool: it posts one descriptor per
// worker (protocol.ts), runs its own share on its own instance, then blocks
// in Atomics.wait until every worker has counted PENDING down. No message
// per call, no promise: a kernel call stays synchronous (Node's main
// thread may block; a browser main thread may not, which is why the
// browser pool is left for later: it would have to spin).

import { BackendError, messageOf } from "../errors.js";
import { FAILED, PENDING, QUIT, SPIN_POLLS, TASK_EXPORTS, argIndex, controlBytes, idIndex, seqIndex, type TaskExport, type WorkerStart } from "./protocol.js";

/** A started worker, as the platform's spawner hands it back. */
export interface WorkerHandle {
  /** Ends the worker (it may be blocked in Atomics.wait). */
  terminate(): void;
}

/**
 * Starts one worker and resolves once its instance is ready; rejects when
 * the worker fails to start (the error says why). Set by the node entry.
 */
export type SpawnWorker = (start: WorkerStart) => Promise<WorkerHandle>;

const TASK_ID: Readonly<Record<TaskExport, number>> = Object.fromEntries(TASK_EXPORTS.map((name, i) => [name, i])) as
  Record<TaskExport, number>;

/** What each worker is started with, but the control block (a new one per start). */
export type WorkerPlan = Omit<WorkerStart, "control" | "index">;

export class Pool {
  private ctl = new Int32Array(new SharedArrayBuffer(4));
  private f64 = new Float64Array(new SharedArrayBuffer(8));
  private workers: readonly WorkerHandle[] = [];
  private posted = 0;

  constructor(private readonly plans: readonly WorkerPlan[], private readonly spawn: SpawnWorker) {}

  /**
   * Starts the workers; resolves with null once all are ready, or with why
   * one failed (then none is left running). Each start has a control block
   * of its own, so a worker of a stopped pool, not ended yet, never sees a
   * later start's tasks.
   */
  async start(): Promise<string | null> {
    this.stop();
    const control = new SharedArrayBuffer(controlBytes(this.plans.length));
    const started = await Promise.allSettled(this.plans.map((plan, index) => this.spawn({ ...plan, control, index })));
    const workers = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) {
      for (const worker of workers) worker.terminate();
      return messageOf(failed.reason);
    }
    this.ctl = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.workers = workers;
    return null;
  }

  /** Workers running (0 before start and once stopped): a call splits into at most size + 1 parts. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Hands worker `w` one call of `name` with these numeric arguments (a
   * geometry already unpacked). Call `join()` after the caller's own share.
   */
  post(w: number, name: TaskExport, args: ArrayLike<number>): void {
    const at = argIndex(w);
    for (let i = 0; i < args.length; i++) this.f64[at + i] = args[i]!;
    this.ctl[idIndex(w)] = TASK_ID[name];
    this.posted++;
    Atomics.add(this.ctl, PENDING, 1);
    // The seq bump is the release: the worker reads the slot after seeing it.
    Atomics.add(this.ctl, seqIndex(w), 1);
    Atomics.notify(this.ctl, seqIndex(w), 1);
  }

  /** Waits for every posted call. @throws {BackendError} when one of them trapped. */
  join(): void {
    if (this.posted === 0) return;
    this.posted = 0;
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(this.ctl, PENDING) !== 0; spin++);
    for (;;) {
      const left = Atomics.load(this.ctl, PENDING);
      if (left === 0) break;
      Atomics.wait(this.ctl, PENDING, left);
    }
    if (Atomics.exchange(this.ctl, FAILED, 0) !== 0) {
      throw new BackendError("a kernel call on a worker thread failed (a wasm trap); its output is undefined");
    }
  }

  /** Tells every worker to leave its loop, then terminates it. Idempotent. */
  stop(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl, QUIT, 1);
    this.workers.forEach((worker, w) => {
      Atomics.add(this.ctl, seqIndex(w), 1);
      Atomics.notify(this.ctl, seqIndex(w));
      worker.terminate();
    });
    this.workers = [];
  }
}
