// Imported first by run.mjs: V8 flags must be set before any wasm compiles.
// Node 20 validates relaxed-SIMD binaries only behind this flag; Node 22+
// has relaxed SIMD on by default and no longer knows the flag (setting it
// there prints "unrecognized flag"), so it is set only where it exists.

import v8 from "node:v8";

const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
const RELAXED_SIMD_BY_DEFAULT_SINCE = 22;

if (NODE_MAJOR < RELAXED_SIMD_BY_DEFAULT_SINCE) {
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}
