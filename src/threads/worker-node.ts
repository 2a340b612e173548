// The script of a Node pool worker (bundled alone as dist/threads-worker.js):
// says "ready" once its instance exists, then serves until told to quit.
// SIMDCNN_TEST_WORKER_FAIL (read only here, set only by tests/threads/)
// makes the start fail, to test that init() falls back to one thread.

import { parentPort, workerData } from "node:worker_threads";
import { prepare, serve } from "./serve.js";
import type { WorkerStart } from "./protocol.js";

const start = workerData as WorkerStart;
if (process.env.SIMDCNN_TEST_WORKER_FAIL === "1") throw new Error("worker start failed (SIMDCNN_TEST_WORKER_FAIL)");
const tasks = await prepare(start);
parentPort!.postMessage("ready");
serve(start, tasks);
