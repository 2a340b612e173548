// ORT-web's GEMM rows at a given numThreads, in a process of its own: ORT
// reads env.wasm.numThreads once, when its first session starts, so the
// threads section runs this child once per count. Prints one JSON line:
// { "<row id>": { minMs, ms } }.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { OnnxGraph } from "./onnx.mjs";
import { randomArray } from "./data.mjs";
import { timeRuns } from "./threads-measure.mjs";

const [threads, sizes, budgetMs] = [Number(process.argv[2]), process.argv[3].split(",").map(Number), Number(process.argv[4])];
const require = createRequire(import.meta.url);
const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = threads;
ort.env.wasm.wasmPaths = dirname(require.resolve("onnxruntime-web")) + "/";
ort.env.logLevel = "error";

const out = {};
for (const n of sizes) {
  const g = new OnnxGraph();
  const y = g.node("MatMul", [g.input("x", [n, n]), g.initializer("b", [n, n], randomArray(n * n, 2))]);
  g.output(y, [n, n]);
  const session = await ort.InferenceSession.create(g.toModel(), { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const feeds = { x: new ort.Tensor("float32", randomArray(n * n, 1), [n, n]) };
  out[`gemm-${n}`] = await timeRuns(async () => (await session.run(feeds))[y].dispose?.(), budgetMs);
  await session.release();
}
console.log(JSON.stringify(out));
