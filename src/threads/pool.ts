// The calling thread's side of the pool: it posts one descriptor per
// worker (protocol.ts), runs its own share on its own instance, then waits
// until every worker has counted PENDING down. No message per call, no
// promise: a kernel call stays synchronous. Where the caller may block
// (Node, a browser worker) it sleeps in Atomics.wait; a browser main
// thread may not, so there it spins on Atomics.load, as emscripten's
// pthreads do. Either way it cannot run event handlers while it waits, so
// a worker's end must reach it through the control block: the worker marks
// itself DEAD on its way out when it can (serve.ts markDead), and a thread
// that is never blocked marks it when it cannot (terminated, out of
// memory): Node's supervisor, which owns the workers and gets their "exit"
// events; a browser's watcher, which gets each worker's Web Lock when it
// ends. Before each sleep the caller checks DEAD and counts a dead worker's
// task down itself, so the wait ends once the live workers are done, and
// the call fails with a BackendError instead of waiting forever. The pool
// then stops for good.

import { BackendError, messageOf } from "../errors.js";
import {
  DEAD, FAILED, PENDING, QUIT, SPIN_POLLS, TASK_EXPORTS, argIndex, closeDeadTasks, controlBytes, idIndex, markDead,
  openTask, seqIndex, type TaskExport, type WorkerStart,
} from "./protocol.js";

/** The workers of one pool start, as the platform's spawner hands them back. */
export interface WorkerHandle {
  /** Resolves once every worker's instance is ready (and whatever watches them); rejects saying why one could not start. */
  ready: Promise<void>;
  /** Ends every worker, also one blocked in Atomics.wait, at any time (before `ready` too). */
  terminate(): void;
}

/**
 * Starts one worker per start (and, where needed, the thread that sees
 * them end). After `ready`, `ended` is told which worker ended on its own
 * and why (an exit, an uncaught error, terminated from outside), once the
 * calling thread's event loop runs. Set by the platform entry (Node:
 * worker_threads; browsers: Web Workers).
 */
export type SpawnWorkers = (starts: readonly WorkerStart[], ended: (worker: number, why: string) => void) => WorkerHandle;

/**
 * How long a pool start may take before it counts as failed: a worker that
 * never answers (its script never loads, its start message is lost) must not
 * hang init(). Starting takes well under a second (a small script, a
 * compiled module to instantiate), but a browser may first download the script.
 */
export const START_DEADLINE_MS = 10_000;

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
  private workers: WorkerHandle | null = null;
  private posted = 0;
  /** The calling thread: the pool is made there, and only there are calls posted and joined. */
  private readonly canBlock = mayBlock();
  /** Why a worker ended on its own, once one has: the pool then stays stopped. */
  death: string | null = null;
  /** Told once, when a worker ends on its own (the backend's state says so in capabilities()). */
  onDeath: (why: string) => void = () => {};

  constructor(private readonly plans: readonly WorkerPlan[], private readonly spawn: SpawnWorkers) {}

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
    const ended = (worker: number, why: string): void => {
      // A worker of an earlier start, or one ended by stop(), is no news.
      if (this.ctl !== ctl || this.workers === null) return;
      markDead(ctl, worker);
      this.die(why);
    };
    const workers = this.spawn(this.plans.map((plan, index) => ({ ...plan, control, index })), ended);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the workers were not ready within ${START_DEADLINE_MS / 1000} s`)),
        START_DEADLINE_MS);
    });
    try {
      await Promise.race([workers.ready, late]);
    } catch (e) {
      workers.terminate();
      return messageOf(e);
    } finally {
      clearTimeout(timer);
    }
    // A worker may have been ready, then ended, while the others were still starting.
    if (Atomics.load(ctl, DEAD) !== 0) {
      workers.terminate();
      return "a worker ended before the others were ready";
    }
    this.ctl = ctl;
    this.f64 = new Float64Array(control);
    this.workers = workers;
    return null;
  }

  /** Workers running (0 before start and once stopped): a call splits into at most size + 1 parts. */
  get size(): number {
    return this.workers === null ? 0 : this.plans.length;
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
    openTask(this.ctl, w);
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
      // One load a round, and a round is a sleep (or a spin step): the
      // fast path pays nothing for it. DEAD before PENDING: see markDead.
      if (Atomics.load(ctl, DEAD) !== 0) closeDeadTasks(ctl, this.plans.length);
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
    if (this.workers === null) return;
    Atomics.store(this.ctl, QUIT, 1);
    for (let w = 0; w < this.plans.length; w++) {
      Atomics.add(this.ctl, seqIndex(w), 1);
      Atomics.notify(this.ctl, seqIndex(w));
    }
    this.workers.terminate();
    this.workers = null;
  }
}
