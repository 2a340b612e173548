// What the page (page.mjs) and its drivers in Node (run.mjs, the Chromium
// test) agree on: the contestants, the rows the page runs (the threads
// bench's rows of threads-rows.mjs, minus GEMM 1024^3 and training: TF.js
// wasm cannot train convolutions), and where TF.js' binaries are served.

/** simdcnn and TF.js wasm, each on 1 and 2 threads, in the order they run; the first is the reference. */
export const contestantIds = ["simdcnn-1", "simdcnn-2", "tfjs-1", "tfjs-2"];

export const PAGE_ROWS = ["gemm-512", "conv-56x56x64-64-k3-b4", "lenet5-b64", "mobilenetv2-100-224-b1", "lenet5-b1"];

/** URL folder of node_modules/@tensorflow/tfjs-backend-wasm/dist/ on the page's server. */
export const TFJS_WASM_URL = "/tfjs-wasm/";

/** The binary TF.js loads when it runs threads (SIMD + threads); anything else is one thread. */
export const TFJS_THREADED_BINARY = "tfjs-backend-wasm-threaded-simd.wasm";
