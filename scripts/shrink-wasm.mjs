// Run after asc by `npm run build:wasm`: binaryen's wasm-opt renumbers each
// binary's functions (most-called first, so the hot indices take the
// shortest LEBs) and each function's locals (most-used first). Only indices
// change, no instruction does, so V8 compiles the same code; gzip finds
// more repeats. Measured (gzipped bytes as tests/budget/size.test.ts counts
// them; speed: best of 5 one-process runs of GEMM 256^3, conv 56x56x64->64
// 3x3 and LeNet batch-1 predict, every one within +-2%):
//   scalar 7763 -> 7723, simd 18346 -> 18051, relaxed-simd 17607 -> 17283.
// Tried and not taken (gzip -9 of the simd build, 18310 before): a full
// wasm-opt -Oz --converge after asc (17738; relaxed 17125) and -O3 / -O4
// --converge (17809 / 17771), which all slowed LeNet batch-1 predict by
// 2.5-8% (relaxed SIMD 20.7 -> 22.4 us with -Oz); asc's shrinkLevel 2
// (18115, only 195 bytes).
// wasm-opt is binaryen's, which assemblyscript depends on (node_modules/.bin).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BASE = ["--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int"];
const FEATURES = {
  scalar: BASE,
  simd: [...BASE, "--enable-simd"],
  "relaxed-simd": [...BASE, "--enable-simd", "--enable-relaxed-simd"],
  // The browser's split build (assembly/inference.ts, training.ts); the
  // training half imports the inference half's memory (not shared).
  "simd-inference": [...BASE, "--enable-simd"],
  "relaxed-simd-inference": [...BASE, "--enable-simd", "--enable-relaxed-simd"],
  "simd-training": [...BASE, "--enable-simd", "--enable-threads"],
  "relaxed-simd-training": [...BASE, "--enable-simd", "--enable-relaxed-simd", "--enable-threads"],
  // The threaded builds (assembly/threads.ts): shared, imported memory.
  "simd-threads": [...BASE, "--enable-simd", "--enable-threads"],
  "relaxed-simd-threads": [...BASE, "--enable-simd", "--enable-relaxed-simd", "--enable-threads"],
};
const PASSES = ["--reorder-functions", "--reorder-locals"];

const root = new URL("../", import.meta.url);
const wasmOpt = fileURLToPath(new URL("node_modules/.bin/wasm-opt", root));
for (const [target, features] of Object.entries(FEATURES)) {
  const file = fileURLToPath(new URL(`dist/wasm/${target}.wasm`, root));
  execFileSync(wasmOpt, [...features, ...PASSES, file, "-o", file], { stdio: "inherit" });
}
