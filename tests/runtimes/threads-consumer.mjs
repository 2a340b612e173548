// A user's script with threads, run by Node, Deno and Bun alike inside a
// project that installed the packed tarball (threads-scenario.js, from
// tests/browser/, copied next to it). argv[2] is JSON:
//   { initOptions, death?: true }
// It predicts the threads workload twice and disposes the model (the pool
// stops: the process must then end on its own); with `death`, a worker
// ends on its first task (SIMDCNN_TEST_WORKER_FAIL=exit-in-call, set by the
// test), so the first predict must throw a BackendError and the next one
// run on one thread. Prints one line of JSON.
import * as lib from "simdcnn";
import { BATCH, INPUT_SHAPE, buildThreadsModel, runThreads } from "./threads-scenario.js";

const { initOptions, death = false } = JSON.parse(process.argv[2]);
const x = Array.from({ length: BATCH * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2] }, (_, i) => ((i * 37) % 101) / 101 - 0.5);

let runtime = `node ${process.versions.node}`;
if (typeof globalThis.Deno === "object") runtime = `deno ${globalThis.Deno.version.deno}`;
else if (process.versions.bun !== undefined) runtime = `bun ${process.versions.bun}`;

if (!death) {
  console.log(JSON.stringify({ runtime, result: await runThreads(lib, { initOptions, x, repeats: 2 }) }));
} else {
  const initReturned = await lib.init(initOptions);
  const model = buildThreadsModel(lib);
  let error = null;
  try {
    model.predict(Float32Array.from(x));
  } catch (e) {
    error = { name: e.name, message: e.message };
  }
  const after = lib.capabilities();
  const next = Array.from(model.predict(Float32Array.from(x)).toArray().slice(0, 3));
  model.dispose();
  console.log(JSON.stringify({ runtime, initReturned, error, after, next }));
}
