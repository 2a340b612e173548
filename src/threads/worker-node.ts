// The script of Node's pool threads (bundled alone as dist/threads-worker.js),
// in one of two roles. Started by the calling thread, it is the supervisor
// (supervise-node.ts), which starts the workers from this same script. As
// a worker it says "ready" once its instance exists, then serves until told
// to quit. SIMDCNN_TEST_WORKER_FAIL (read only here, set only by
// tests/threads/) makes a worker's start fail ("1"), to test that init()
// falls back to one thread; or makes a worker end on its first task, to
// test that a call in flight fails instead of hanging: "exit-in-call"
// exits (the worker's own "exit" handler runs), "oom-in-call" allocates
// until V8 ends the worker for running out of memory (no JS of it runs).

import { parentPort, workerData } from "node:worker_threads";
import { markDead, prepare, serve } from "./serve.js";
import { supervise, type SupervisorStart } from "./supervise-node.js";
import type { WorkerStart } from "./protocol.js";

const data = workerData as WorkerStart | SupervisorStart;
if ("supervise" in data) supervise(data.supervise, new URL(import.meta.url));
else await work(data);

async function work(start: WorkerStart): Promise<void> {
  const testFailure = testHook();
  if (testFailure === "1") throw new Error("worker start failed (SIMDCNN_TEST_WORKER_FAIL)");
  const tasks = await prepare(start);
  if (testFailure === "exit-in-call") tasks.fill(() => process.exit(3));
  if (testFailure === "oom-in-call") {
    tasks.fill(() => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array<number>(1 << 20).fill(0.5));
    });
  }
  // Runs when the thread ends with JS still running (process.exit, an
  // uncaught error, leaving the loop): the caller may be blocked in
  // Atomics.wait and cannot see an "exit" event until it wakes.
  process.once("exit", () => markDead(start));
  parentPort!.postMessage("ready");
  serve(start, tasks);
}

/**
 * SIMDCNN_TEST_WORKER_FAIL, unless this is Deno without the permission to
 * read it: there process.env throws (or, in a terminal, asks the user), and
 * a user who granted only --allow-read must still get threads.
 */
function testHook(): string | undefined {
  const deno = (globalThis as { Deno?: { permissions: { querySync(d: { name: "env"; variable: string }): { state: string } } } }).Deno;
  const name = "SIMDCNN_TEST_WORKER_FAIL";
  if (deno !== undefined && deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
  return process.env[name];
}
