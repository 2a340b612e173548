// `npm run build:wasm`: every binary of asconfig.json, from its entry, then
// scripts/shrink-wasm.mjs over all of them. Nine asc runs of ~5 s each, so
// they run side by side, one per core.
//   whole (Node, edge runtimes, init({ wasm })): index.ts -> scalar, simd, relaxed-simd
//   the browser's split build: inference.ts -> <build>-inference, training.ts -> <build>-training
//   threaded: threads.ts -> simd-threads, relaxed-simd-threads
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const ENTRY = {
  scalar: "index", simd: "index", "relaxed-simd": "index",
  "simd-inference": "inference", "relaxed-simd-inference": "inference",
  "simd-training": "training", "relaxed-simd-training": "training",
  "simd-threads": "threads", "relaxed-simd-threads": "threads",
};

const root = fileURLToPath(new URL("../", import.meta.url));
const asc = fileURLToPath(new URL("node_modules/assemblyscript/bin/asc.js", new URL("../", import.meta.url)));

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${args.slice(1).join(" ")} exited with ${code}`))));
  });
}

const queue = Object.entries(ENTRY);
async function worker() {
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [target, entry] = next;
    await run([asc, `assembly/${entry}.ts`, "--config", "asconfig.json", "--target", target]);
  }
}
await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
await run([fileURLToPath(new URL("shrink-wasm.mjs", import.meta.url))]);
