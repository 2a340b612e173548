// simdcnn benchmark suite: `npm run bench` (full, < 10 min) and
// `npm run bench:quick` (< 1 min). One thread, one process; for each
// workload every contestant runs in turn after its output was checked
// against the plain-JS backend. Prints a table, writes bench/results/latest.json.
//
// Then training: samples/s of one SGD step at batch 32 (lib/train-suite.mjs).
//
// Then threads: issue 15's rows on 2 threads against 1 (lib/threads.mjs).
//
// Flags: --quick, --only=<substring of a workload id, e.g. train or threads>, --no-train, --no-threads, --no-cold-start.

import "./lib/v8-flags.mjs"; // first: flags must precede any wasm compile
import os from "node:os";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { installWasmSpy } from "./lib/wasm-spy.mjs";
import { allWorkloads, workloadData } from "./lib/workloads.mjs";
import { BUDGETS, bestSimdcnn, measureWorkload, metricOf } from "./lib/measure.mjs";
import { simdcnn, wasmStaleness } from "./lib/simdcnn.mjs";
import { tfjsCpu, tfjsWasm } from "./lib/peer-tfjs.mjs";
import { onnxRuntime } from "./lib/peer-ort.mjs";
import { cell, fmt, formatTable, gbps, ratio, unitText } from "./lib/table.mjs";
import { measureColdStart } from "./lib/cold-start.mjs";
import { measureSizes } from "./lib/sizes.mjs";
import { measurePeak } from "./lib/peak.mjs";
import { cpuDescription } from "./lib/cpu.mjs";
import { runTrainingBench } from "./lib/train-suite.mjs";
import { evaluateTargets } from "./lib/targets.mjs";
import { runThreadsBench } from "./lib/threads.mjs";

const started = performance.now();
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const budget = quick ? BUDGETS.quick : BUDGETS.full;
const log = (s) => console.log(s);

installWasmSpy();

// ---- contestants ------------------------------------------------------------

const candidates = quick
  ? [simdcnn("relaxed-simd"), simdcnn("simd"), simdcnn("js"), tfjsWasm(), onnxRuntime()]
  : [simdcnn("relaxed-simd"), simdcnn("simd"), simdcnn("scalar"), simdcnn("js"), tfjsWasm(), tfjsCpu(), onnxRuntime()];

log(`# simdcnn bench (${quick ? "quick" : "full"}) — ${cpuDescription()}, node ${process.version}, one thread\n`);
const stale = await wasmStaleness();
if (stale) log(`WARNING: ${stale}\n`);

const contestants = [];
const loaded = {};
log("## Contestants (what each actually loaded)\n");
for (const c of candidates) {
  try {
    loaded[c.id] = await c.setup();
    contestants.push(c);
    log(`- ${c.label}: ${loaded[c.id]}`);
  } catch (e) {
    loaded[c.id] = `UNAVAILABLE: ${e.message}`;
    log(`- ${c.label}: UNAVAILABLE — ${e.message}`);
  }
}
log("");

// The yardstick for "close to the core's limit": see bench/lib/peak.mjs.
const peak = await measurePeak({ rounds: quick ? 10 : 40, ms: 20 });
const peakText = (v) => (typeof v === "number" ? `${fmt(v)} GFLOP/s` : `unavailable (${v.error.split("\n")[0]})`);
log("## Core peak (128-bit, one core, this process)\n");
log(`- relaxed SIMD FMA: ${peakText(peak.relaxed)}; SIMD mul + add: ${peakText(peak.simd)}`);
log("  (fastest run of 12 independent multiply-add chains with no memory traffic; the GFLOP/s rows' last column is a percentage of it)\n");
/** The peak a simdcnn binary's GFLOP/s row is measured against. */
const PEAK_OF = { relaxed: "relaxed", simd: "simd" };

// ---- workloads ----------------------------------------------------------------

const workloads = allWorkloads().filter((w) => (quick ? w.quick : true) && (!only || w.id.includes(only)));
const rates = new Map();
const rows = [];
log(`## Progress (${workloads.length} workloads)\n`);
for (const wl of workloads) {
  const t0 = performance.now();
  const data = workloadData(wl);
  const { results, reference } = await measureWorkload(wl, data, contestants, budget, rates, log);
  rows.push({ wl, results, reference });
  const summary = contestants.map((c) => `${c.id} ${cell(results[c.id], wl)}`).join(", ");
  log(`- ${wl.label} [${unitText(wl)}]: ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const PEERS = [
  ["js", "vs js"],
  ["tfjs-wasm", "vs tfjs-wasm"],
  ["ort", "vs ort"],
];
function speedup(results, best, other, key = "ms") {
  const r = results[other];
  if (!best || !r || !(r.status === "ok" || r.status === "single")) return NaN;
  return r[key] / results[best][key]; // same work on both sides, so a time ratio is the speedup
}

/** "49.7 relaxed (98%)": the fastest sample, its binary, and its share of that binary's peak. */
function fastestCell(wl, id, minMs) {
  const value = metricOf(wl, minMs);
  const p = peak[PEAK_OF[id]];
  const share = wl.unit === "GFLOP/s" && typeof p === "number" ? ` (${Math.round((100 * value) / p)}%)` : "";
  const bandwidth = wl.bytes ? ` ${fmt(gbps(wl, minMs))} GB/s` : "";
  return `${fmt(value)} ${id}${share}${bandwidth}`;
}

const headers = [
  "workload", "unit", ...contestants.map((c) => c.id), "best", ...PEERS.map(([, h]) => h),
  "fastest sample", "vs tfjs-wasm, fastest samples",
];
const tableRows = rows.map(({ wl, results }) => {
  const best = bestSimdcnn(results);
  const bestMin = bestSimdcnn(results, "minMs");
  return [
    wl.label, unitText(wl),
    ...contestants.map((c) => cell(results[c.id], wl)),
    best ?? "-",
    ...PEERS.map(([id]) => ratio(speedup(results, best, id))),
    bestMin ? fastestCell(wl, bestMin, results[bestMin].minMs) : "-",
    ratio(speedup(results, bestMin, "tfjs-wasm", "minMs")),
  ];
});

log(`\n## Results\n`);
log(formatTable(headers, tableRows, (i) => i > 1));
log(`\nUnits: GFLOP/s (GEMM 2mnk, conv 2·oh·ow·cout·kh·kw·cin·batch), Gop/s (pooling: window elements read), ` +
  `img/s (batch 64), ms (batch-1 latency, lower is better). Medians of tinybench samples; the last two ` +
  `columns use each contestant's fastest sample instead, and pick the best binary by it (on a shared machine noise only slows calls down); ` +
  `(n%) is that sample's share of the binary's core peak above.`);
if (rows.some(({ wl }) => wl.bytes)) {
  log(`Depthwise rows: GFLOP/s (2·oh·ow·c·kh·kw·batch) / GB/s (input + output + weights + bias bytes, each read or written once, ` +
    `over the same time). Bias + relu: simdcnn fuses both in its kernel; TF.js wasm fuses both in its XNNPACK op; ` +
    `TF.js cpu runs them as separate passes inside its FusedDepthwiseConv2D; ORT gets Conv(group = C, bias) + Relu ` +
    `and runs them as one FusedConv node (NCHW, CPU EP).`);
}
log(`Marks: ! output differs from the reference (simdcnn js, else the next peer that ran), * one cold call only (too slow to sample), ` +
  `? unchecked; skip = estimated slower than ${budget.maxCallMs / 1000} s per call; n/a = contestant not available for this row.`);
log(`"vs X" = X's time / the best matching simdcnn wasm binary's time (> 1: simdcnn faster). ` +
  `Kernel rows call simdcnn's Kernels directly on pre-packed weights; model rows use the public API with predict(Float32Array).toArray().`);

const problems = [];
for (const { wl, results, reference } of rows) {
  if (reference !== "js") problems.push(`- ${wl.label}: outputs checked against ${reference ?? "nothing (no contestant ran)"}, not simdcnn js`);
  for (const c of contestants) {
    const r = results[c.id];
    if (r?.check && !r.check.ok) problems.push(`- MISMATCH ${c.label} on ${wl.label}: max |diff| ${r.check.maxErr} (rel ${fmt(r.check.relErr)}) ${r.check.note ?? ""}`);
    if (r?.status === "error") problems.push(`- ERROR ${c.label} on ${wl.label}: ${r.note}`);
    if (r?.status === "skipped") problems.push(`- skipped ${c.label} on ${wl.label}: ${r.note}`);
  }
}
if (problems.length) log(`\n${problems.join("\n")}`);

// ---- the targets ------------------------------------------------------------

const workloadReport = rows.map(({ wl, results, reference }) => {
  const best = bestSimdcnn(results);
  const { spec, ...shape } = wl;
  return {
    ...shape,
    model: spec ? spec.name : undefined,
    reference,
    best,
    speedups: Object.fromEntries(PEERS.map(([id]) => [id, speedup(results, best, id)]).filter(([, v]) => Number.isFinite(v))),
    results,
  };
});
const targets = evaluateTargets(workloadReport);
if (targets.length) {
  const goalText = (t) => (t.unit === "x" ? `${fmt(t.goal)}x` : `${fmt(t.goal)} ${t.unit}`);
  const valueText = (t, v) => (v === null ? "-" : t.unit === "x" ? `${fmt(v)}x` : fmt(v));
  log(`\n## Issue 3 targets, on fastest samples (medians for comparison)\n`);
  log(formatTable(
    ["target", "workload", "binary", "goal", "fastest", "median", "met"],
    targets.map((t) => [
      t.target, t.workload, t.binary ?? "-", goalText(t), valueText(t, t.fastest), valueText(t, t.median),
      t.met === null ? "no data" : t.met ? "yes" : "NO",
    ]),
    (i) => i >= 3 && i <= 5,
  ));
  const missed = targets.filter((t) => t.met === false);
  log(`\n${targets.length - missed.length} of ${targets.length} target checks met` +
    (missed.length ? `; missed: ${[...new Set(missed.map((t) => t.target))].join("; ")}.` : "."));
}

// ---- training ---------------------------------------------------------------------

let training = null;
if (!args.includes("--no-train")) {
  const t0 = performance.now();
  training = await runTrainingBench({ quick, only, log });
  training.seconds = (performance.now() - t0) / 1000;
  log(`\nTraining section: ${training.seconds.toFixed(1)} s.`);
}

// ---- threads -------------------------------------------------------------------------

let threads = null;
if (!args.includes("--no-threads") && (!only || "threads".includes(only))) {
  const t0 = performance.now();
  try {
    threads = await runThreadsBench({ api: await import("simdcnn"), quick, log });
  } catch (e) {
    threads = { error: e.message };
    log(`\n## Threads\n\nunavailable: ${e.message}`);
  }
  threads.seconds = (performance.now() - t0) / 1000;
  log(`\nThreads section: ${threads.seconds.toFixed(1)} s.`);
}

// ---- cold start and sizes -----------------------------------------------------------

let coldStart = null;
if (!args.includes("--no-cold-start")) {
  try {
    coldStart = await measureColdStart(quick ? 3 : 7);
    log(`\n## Cold start\n\nspawn -> first LeNet-5 prediction: median ${fmt(coldStart.medianMs)} ms ` +
      `(${fmt(coldStart.medianInsideMs)} ms after the child's own clock started; ${coldStart.runs} runs; child chose '${coldStart.backend}')`);
    const phases = Object.entries(coldStart.medianPhasesMs).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
    log(`phases (median ms): ${phases}`);
  } catch (e) {
    coldStart = { error: e.message };
    log(`\n## Cold start\n\nunavailable: ${e.message}`);
  }
}

const sizes = measureSizes();
log(`\n## Shipped bytes\n`);
log(formatTable(["file", "raw", "gzip"], sizes.map((s) => [s.file, s.raw ?? "missing", s.gzip ?? "-"])));

// ---- JSON -----------------------------------------------------------------------

const runSeconds = (performance.now() - started) / 1000;
const report = {
  machine: {
    cpu: cpuDescription(),
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
  },
  date: new Date().toISOString(),
  mode: quick ? "quick" : "full",
  budget,
  peak,
  contestants: Object.fromEntries(candidates.map((c) => [c.id, { label: c.label, loaded: loaded[c.id] }])),
  workloads: workloadReport,
  targets,
  training,
  threads,
  coldStart,
  sizes,
  warnings: stale ? [stale] : [],
  runSeconds,
};
const outDir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(outDir, { recursive: true });
writeFileSync(`${outDir}latest.json`, JSON.stringify(report, null, 2) + "\n");
log(`\nWrote bench/results/latest.json; total ${runSeconds.toFixed(1)} s.`);
