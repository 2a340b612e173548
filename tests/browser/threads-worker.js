// A module worker of the threads page that runs the threads scenario itself:
// there the caller may block in Atomics.wait, so the pool's wait sleeps
// instead of spinning, and the pool's workers are started from a worker.
import * as simdcnn from "/dist/browser.js";
import { runThreads } from "/tests/browser/threads-scenario.js";

addEventListener("message", async (event) => {
  try {
    postMessage({ result: await runThreads(simdcnn, event.data) });
  } catch (e) {
    postMessage({ error: String(e?.stack ?? e) });
  }
});
