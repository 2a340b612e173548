// The script of a Node pool worker (bundled alone as dist/threads-worker.js):
// says "ready" once its instance exists, then serves until told to quit.
// SIMDCNN_TEST_WORKER_FAIL (read only here, set only by tests/threads/)
// makes the start fail ("1"), to test that init() falls back to one
// thread, or makes the worker exit on its first task ("exit-in-call"), to
// test that a call in flight fails instead of hanging.

import { parentPort, workerData } from "node:worker_threads";
import { markDead, prepare, serve } from "./serve.js";
import type { WorkerStart } from "./protocol.js";

const start = workerData as WorkerStart;
const testFailure = process.env.SIMDCNN_TEST_WORKER_FAIL;
if (testFailure === "1") throw new Error("worker start failed (SIMDCNN_TEST_WORKER_FAIL)");
const tasks = await prepare(start);
if (testFailure === "exit-in-call") tasks.fill(() => process.exit(3));
// Runs however the thread ends (process.exit, an uncaught error, leaving
// the loop): the caller may be blocked in Atomics.wait and cannot see the
// Worker's "exit" event until it wakes.
process.once("exit", () => markDead(start));
parentPort!.postMessage("ready");
serve(start, tasks);
