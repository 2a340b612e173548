// Issue 3's speed targets, checked against a finished run: each target row
// says what was asked, what this run measured, and whether it is met.
// Reported, never asserted (speed is not a unit test on a shared VM); the
// evaluation logic itself is unit-tested in tests/bench/targets.test.ts.
//
// Basis: every check is read on fastest samples (minMs), as the results
// table's last two columns are: on this VM noise only ever slows a call
// down, and medians of the same code swing by up to 30% between runs. The
// medians are printed alongside so a reader can see both.
//
// The issue gives absolute numbers measured on its author's quiet machine,
// where TF.js wasm ran 512^3 GEMM at ~29 GFLOP/s and 56x56x64->64 in 7.5 ms,
// and ratios to TF.js wasm. Both kinds are listed; a ratio row "implied"
// is the issue's absolute target over its own TF.js wasm figure, for
// targets stated only in absolute terms.

import { bestSimdcnn, matched, metricOf } from "./measure.mjs";

/** The issue's TF.js wasm time for 56x56x64->64 on its reference machine (ms). */
const ISSUE_TFJS_CONV56_MS = 7.5;

const GEMMS = ["gemm-256", "gemm-512", "gemm-1024"];
const DEPTHWISE = ["depthwise-112x112x96-k3-s1", "depthwise-112x112x96-k3-s2"];
const MOBILENETS = ["model-mobilenetv2-035-96-b1", "model-mobilenetv2-100-224-b1", "model-mobilenetv2-100-224-b8"];
const SMALL_CIN_CONVS = ["conv-28x28x1-6-k5v", "conv-28x28x1-32-k3", "conv-32x32x3-32-k3", "conv-b32-28x28x1-32-k3"];

/**
 * One check per line. binary: "relaxed" | "simd" | "best" (the fastest
 * simdcnn wasm binary by this basis). kind:
 * - "min" / "max": the row's own metric (its unit) at least / at most goal;
 * - "ratio": peer's time over ours at least goal (strictly above when
 *   `strict`, for "ahead of").
 */
export const TARGETS = [
  ...GEMMS.flatMap((id) => [
    { target: "GEMM relaxed >= 48 GFLOP/s", id, binary: "relaxed", kind: "min", goal: 48 },
    { target: "GEMM relaxed >= 1.6x TF.js wasm", id, binary: "relaxed", kind: "ratio", peer: "tfjs-wasm", goal: 1.6 },
    { target: "GEMM SIMD >= 38 GFLOP/s", id, binary: "simd", kind: "min", goal: 38 },
    { target: "GEMM SIMD >= 1.3x TF.js wasm", id, binary: "simd", kind: "ratio", peer: "tfjs-wasm", goal: 1.3 },
  ]),
  { target: "Conv 56x56x64->64 relaxed <= 4.8 ms", id: "conv-56x56x64-64-k3", binary: "relaxed", kind: "max", goal: 4.8, unit: "ms" },
  {
    target: `Conv 56x56x64->64 relaxed >= ${(ISSUE_TFJS_CONV56_MS / 4.8).toFixed(2)}x TF.js wasm (implied)`,
    id: "conv-56x56x64-64-k3", binary: "relaxed", kind: "ratio", peer: "tfjs-wasm", goal: ISSUE_TFJS_CONV56_MS / 4.8,
  },
  { target: "Conv 56x56x64->64 SIMD <= 5.8 ms", id: "conv-56x56x64-64-k3", binary: "simd", kind: "max", goal: 5.8, unit: "ms" },
  {
    target: `Conv 56x56x64->64 SIMD >= ${(ISSUE_TFJS_CONV56_MS / 5.8).toFixed(2)}x TF.js wasm (implied)`,
    id: "conv-56x56x64-64-k3", binary: "simd", kind: "ratio", peer: "tfjs-wasm", goal: ISSUE_TFJS_CONV56_MS / 5.8,
  },
  ...SMALL_CIN_CONVS.flatMap((id) => [
    { target: "Conv with 1 or 3 input channels >= 2x TF.js wasm", id, binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 2 },
    { target: "Conv with 1 or 3 input channels ahead of ORT", id, binary: "best", kind: "ratio", peer: "ort", goal: 1, strict: true },
  ]),
  { target: "LeNet-5 batch 1 <= 0.045 ms", id: "model-lenet5-b1", binary: "best", kind: "max", goal: 0.045 },
  { target: "LeNet-5 batch 1 >= 6x TF.js wasm", id: "model-lenet5-b1", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 6 },
  { target: "LeNet-5 batch 1 ahead of ORT", id: "model-lenet5-b1", binary: "best", kind: "ratio", peer: "ort", goal: 1, strict: true },
  { target: "LeNet-5 batch 64 >= 1.6x TF.js wasm", id: "model-lenet5-b64", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 1.6 },
  { target: "small VGG batch 1 >= 1.4x TF.js wasm", id: "model-smallvgg-b1", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 1.4 },
  { target: "small VGG batch 64 >= 1.4x TF.js wasm", id: "model-smallvgg-b64", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 1.4 },
  { target: "Dense 1x784x128 ahead of TF.js wasm", id: "dense-1x784x128", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 1, strict: true },
  // Issue 11 (mobile-class layers): its TF.js wasm times were 8.3 / 65 / 542 ms on its author's machine.
  ...DEPTHWISE.map((id) => ({ target: "Depthwise 3x3 112x112x96 >= 1.5x TF.js wasm", id, binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 1.5 })),
  { target: "MobileNetV2 0.35 96x96 batch 1 <= 2.8 ms", id: "model-mobilenetv2-035-96-b1", binary: "best", kind: "max", goal: 2.8 },
  { target: "MobileNetV2 0.35 96x96 batch 1 >= 3x TF.js wasm", id: "model-mobilenetv2-035-96-b1", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 3 },
  { target: "MobileNetV2 1.0 224x224 batch 1 <= 30 ms", id: "model-mobilenetv2-100-224-b1", binary: "best", kind: "max", goal: 30 },
  { target: "MobileNetV2 1.0 224x224 batch 1 >= 2.2x TF.js wasm", id: "model-mobilenetv2-100-224-b1", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 2.2 },
  { target: "MobileNetV2 1.0 224x224 batch 8 >= 2x TF.js wasm", id: "model-mobilenetv2-100-224-b8", binary: "best", kind: "ratio", peer: "tfjs-wasm", goal: 2 },
  ...[...DEPTHWISE, ...MOBILENETS].map((id) => ({ target: "Mobile-class rows ahead of ORT", id, binary: "best", kind: "ratio", peer: "ort", goal: 1, strict: true })),
];

/** ">= 30x plain JS on GEMM and conv": one check per GEMM and conv row of the run. */
function jsTargets(workloads) {
  return workloads
    .filter((w) => w.kind === "gemm" || w.kind === "conv")
    .map((w) => ({ target: ">= 30x the plain-JS backend (GEMM, conv)", id: w.id, binary: "best", kind: "ratio", peer: "js", goal: 30 }));
}

/** Which simdcnn binary a check reads, by time `key` ("minMs" or "ms"): picked as the results table picks it. */
function pick(w, binary, key) {
  if (binary !== "best") return matched(w.results[binary]) ? binary : null;
  return bestSimdcnn(w.results, key);
}

/** The value of a check at one basis, or null when the run lacks a side of it. */
function valueOf(t, w, key) {
  const id = pick(w, t.binary, key);
  if (!id) return null;
  const ours = w.results[id][key];
  if (t.kind === "ratio") {
    const peer = w.results[t.peer];
    return peer && (peer.status === "ok" || peer.status === "single") && peer.check?.ok !== false
      ? { binary: id, value: peer[key] / ours } : null;
  }
  return { binary: id, value: t.unit === "ms" ? ours : metricOf(w, ours) };
}

function meets(t, value) {
  if (t.kind === "max") return value <= t.goal;
  if (t.kind === "ratio" && t.strict) return value > t.goal;
  return value >= t.goal;
}

/**
 * Evaluates every target against a run's workload entries (the shape of
 * latest.json's `workloads`: id, kind, unit, flops, batch, results per
 * contestant with ms and minMs). Rows whose workload did not run (e.g. a
 * --quick or --only run) are left out; a row whose data is incomplete says so.
 */
export function evaluateTargets(workloads) {
  const byId = new Map(workloads.map((w) => [w.id, w]));
  return [...TARGETS, ...jsTargets(workloads)]
    .filter((t) => byId.has(t.id))
    .map((t) => {
      const w = byId.get(t.id);
      const fastest = valueOf(t, w, "minMs");
      const median = valueOf(t, w, "ms");
      return {
        target: t.target,
        workload: w.label,
        unit: t.kind === "ratio" ? "x" : (t.unit ?? w.unit),
        goal: t.goal,
        binary: fastest?.binary ?? null,
        fastest: fastest?.value ?? null,
        median: median?.value ?? null,
        met: fastest ? meets(t, fastest.value) : null,
      };
    });
}

/**
 * Issue 15's speed-up targets for the threads section (lib/threads.mjs):
 * our 2-thread time over our 1-thread time, on fastest samples; "minRatio"
 * rows must reach the goal, the LeNet batch-1 row must not be slower (a
 * ratio of at least 1 with noise: reported, not asserted).
 */
export const THREAD_TARGETS = [
  { id: "gemm-512", target: "GEMM 512^3 on 2 threads >= 1.85x one thread", goal: 1.85 },
  { id: "gemm-1024", target: "GEMM 1024^3 on 2 threads >= 1.85x one thread", goal: 1.85 },
  { id: "conv-56x56x64-64-k3-b4", target: "Conv 3x3 56x56x64->64 batch 4 on 2 threads >= 1.8x", goal: 1.8 },
  { id: "lenet5-b64", target: "LeNet-5 batch 64 on 2 threads >= 1.7x", goal: 1.7 },
  { id: "lenet5-b1", target: "LeNet-5 batch 1 on 2 threads no slower than one", goal: 1 },
  { id: "lenet5-train-b32", target: "LeNet-5 training batch 32 on 2 threads >= 1.6x", goal: 1.6 },
  { id: "mobilenetv2-100-224-b1", target: "MobileNetV2 1.0 224x224 batch 1 on 2 threads >= 1.6x", goal: 1.6 },
];

/** The GEMM rows must also be ahead of ORT-web's own 2 threads. */
export const THREAD_PEER_TARGET = { target: "GEMM on 2 threads ahead of ORT-web numThreads = 2", ids: ["gemm-512", "gemm-1024"] };
