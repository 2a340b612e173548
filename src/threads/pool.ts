// The calling thread's side of the pool: it posts one descriptor per
// worker (protocol.ts), runs its own share on its own instance, then waits
// until every worker has counted PENDING down. No message per call, no
// promise: a kernel call stays synchronous. Where the caller may block
// (Node, a browser worker) it sleeps in Atomics.wait; a browser main
// thread may not, so there it spins on Atomics.load, as emscripten's
// pthreads do. A worker that ends mid-call (it exited, an uncaught error)
// marks the control block DEAD on its way out and counts its task down
// (serve.ts markDead): the wait ends once the other workers are done, and
// the call fails with a BackendError instead of waiting forever. The pool
// marks DEAD too when it sees a worker end while idle. Either way it then
// stops for good.

import { BackendError, messageOf } from "../errors.js";
import {
  DEAD, FAILED, PENDING, QUIT, SPIN_POLLS, TASK_EXPORTS, argIndex, controlBytes, idIndex, seqIndex, type TaskExport,
  type WorkerStart,
} from "./protocol.js";

/** A started worker, as the platform's spawner hands it back. */
export interface WorkerHandle {
  /** Ends the worker (it may be blocked in Atomics.wait). */
  terminate(): void;
}

/**
 * Starts one worker and resolves once its instance is ready; rejects when
 * the worker fails to start (the error says why). After that, `ended` is
 * told why, should the worker end on its own (an exit, an uncaught error).
 * Set by the platform entry (Node: worker_threads; browsers: Web Workers).
 */
export type SpawnWorker = (start: WorkerStart, ended: (why: string) => void) => Promise<WorkerHandle>;

const TASK_ID: Readonly<Record<TaskExport, number>> = Object.fromEntries(TASK_EXPORTS.map((name, i) => [name, i])) as
  Record<TaskExport, number>;

/** What each worker is started with, but the control block (a new one per start). */
export type WorkerPlan = Omit<WorkerStart, "control" | "index">;

/** Whether this thread may block in Atomics.wait (a browser main thread may not: it throws). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class Pool {
  private ctl = new Int32Array(new SharedArrayBuffer(16));
  private f64 = new Float64Array(new SharedArrayBuffer(8));
  private workers: readonly WorkerHandle[] = [];
  private posted = 0;
  /** The calling thread: the pool is made there, and only there are calls posted and joined. */
  private readonly canBlock = mayBlock();
  /** Why a worker ended on its own, once one has: the pool then stays stopped. */
  death: string | null = null;
  /** Told once, when a worker ends on its own (the backend's state says so in capabilities()). */
  onDeath: (why: string) => void = () => {};

  constructor(private readonly plans: readonly WorkerPlan[], private readonly spawn: SpawnWorker) {}

  /**
   * Starts the workers; resolves with null once all are ready, or with why
   * one failed (then none is left running). Each start has a control block
   * of its own, so a worker of a stopped pool, not ended yet, never sees a
   * later start's tasks.
   */
  async start(): Promise<string | null> {
    this.stop();
    if (this.death !== null) return this.death;
    const control = new SharedArrayBuffer(controlBytes(this.plans.length));
    const ctl = new Int32Array(control);
    const ended = (why: string): void => {
      // A worker of an earlier start, or one ended by stop(), is no news.
      if (this.ctl !== ctl || this.workers.length === 0) return;
      Atomics.store(ctl, DEAD, 1);
      Atomics.notify(ctl, PENDING);
      this.die(why);
    };
    const started = await Promise.allSettled(this.plans.map((plan, index) => this.spawn({ ...plan, control, index }, ended)));
    const workers = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    // A worker may have been ready, then ended, while the others were still starting.
    const dead = Atomics.load(ctl, DEAD) !== 0 ? "a worker ended before the others were ready" : null;
    if (failed !== undefined || dead !== null) {
      for (const worker of workers) worker.terminate();
      return failed !== undefined ? messageOf(failed.reason) : dead!;
    }
    this.ctl = ctl;
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

  /**
   * Waits for every posted call.
   * @throws {BackendError} when one of them trapped, or when a worker ended
   *   during the call (the pool is then stopped: later calls run on this thread).
   */
  join(): void {
    if (this.posted === 0) return;
    this.posted = 0;
    const ctl = this.ctl;
    for (let spin = 0; spin < SPIN_POLLS && Atomics.load(ctl, PENDING) !== 0; spin++);
    for (;;) {
      const left = Atomics.load(ctl, PENDING);
      if (left === 0) break;
      if (this.canBlock) Atomics.wait(ctl, PENDING, left);
    }
    if (Atomics.load(ctl, DEAD) !== 0) {
      this.die("a worker thread ended during a call");
      throw new BackendError(`a worker thread ended during a kernel call; its output is undefined, ` +
        `and later calls run on the calling thread alone`);
    }
    if (Atomics.exchange(this.ctl, FAILED, 0) !== 0) {
      throw new BackendError("a kernel call on a worker thread failed (a wasm trap); its output is undefined");
    }
  }

  /** A worker ended on its own: stop the others, for good. */
  private die(why: string): void {
    if (this.death !== null) return;
    this.death = why;
    this.stop();
    this.onDeath(why);
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
