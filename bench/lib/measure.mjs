// Runs one workload across every contestant, one after another (so all
// contestants of a row see the same machine state), checking each output
// against a reference before timing it.

import { Bench } from "tinybench";
import { compareOutputs } from "./data.mjs";
import { outputLength } from "./workloads.mjs";

/** Timing budgets: full mode for numbers, quick mode for a one-minute smoke run. */
export const BUDGETS = {
  full: { time: 1000, warmupTime: 100, iterations: 3, minSamples: 40, warmupIterations: 1, singleShotMs: 2000, maxCallMs: 10000 },
  quick: { time: 250, warmupTime: 30, iterations: 2, minSamples: 10, warmupIterations: 1, singleShotMs: 300, maxCallMs: 2500 },
};

/** Preferred references, best first: the simdcnn JS backend is the oracle. */
const REFERENCE_ORDER = ["js", "tfjs-cpu", "tfjs-wasm", "ort"];

/** simdcnn's wasm binaries, as result ids. */
export const SIMDCNN_BINARIES = ["relaxed", "simd", "scalar"];

/** Whether a result timed an output that was checked and matched. */
export function matched(r) {
  return Boolean(r && (r.status === "ok" || r.status === "single") && r.check?.ok);
}

/** The fastest simdcnn wasm binary whose output matched, per row, by median (or by `key`). */
export function bestSimdcnn(results, key = "ms") {
  let best = null;
  for (const id of SIMDCNN_BINARIES) {
    if (matched(results[id]) && (!best || results[id][key] < results[best][key])) best = id;
  }
  return best;
}

/** Converts a median latency (ms) to the row's unit. */
export function metricOf(wl, ms) {
  if (wl.unit === "ms") return ms;
  if (wl.unit === "img/s") return (wl.batch * 1000) / ms;
  return wl.flops / (ms * 1e6); // GFLOP/s or Gop/s
}

/**
 * Samples a row takes at least: calls of tens of ms get enough of them
 * (up to `minSamples`, within ~2x the time budget) for the fastest sample
 * to mean something; GEMM 1024^3 used to stop at ~20, and one slow window
 * of the shared VM then covered them all.
 */
function minSamples(budget, firstMs) {
  const affordable = Math.floor((2 * budget.time) / Math.max(firstMs, 1e-3));
  return Math.max(budget.iterations, Math.min(budget.minSamples, affordable));
}

async function timeOneCall(prepared) {
  const t0 = performance.now();
  const out = await prepared.result();
  return { out, ms: performance.now() - t0 };
}

/**
 * Measures `wl` on each contestant. Returns { results: {id: entry}, reference }.
 * An entry: { status: "ok" | "single" | "skipped" | "n/a" | "error", ms (median),
 * minMs (fastest sample), value (of the median), samples, rme, check: { ok, maxErr, relErr } | null, note }.
 * `rates` (id -> FLOPs per ms seen so far) lets slow contestants be skipped
 * by estimate before a multi-second call is made.
 */
export async function measureWorkload(wl, data, contestants, budget, rates, log) {
  const order = [
    ...REFERENCE_ORDER.map((id) => contestants.find((c) => c.id === id)).filter(Boolean),
    ...contestants.filter((c) => !REFERENCE_ORDER.includes(c.id)),
  ];
  const results = {};
  let reference = null;
  for (const c of order) {
    const supported = c.supports(wl);
    if (supported !== true) {
      results[c.id] = { status: "n/a", note: String(supported) };
      continue;
    }
    const rate = rates.get(c.id);
    const estimate = rate ? wl.flops / rate : 0;
    if (estimate > budget.maxCallMs) {
      results[c.id] = { status: "skipped", note: `est. ${(estimate / 1000).toFixed(1)} s per call > ${budget.maxCallMs / 1000} s` };
      continue;
    }
    let prepared = null;
    try {
      prepared = await c.prepare(wl, data);
      const first = await timeOneCall(prepared);
      const entry = { status: "ok", check: null, note: "" };
      if (first.out.length !== outputLength(wl)) {
        entry.check = { ok: false, maxErr: Infinity, note: `output has ${first.out.length} floats, want ${outputLength(wl)}` };
      } else if (reference === null) {
        reference = { id: c.id, out: first.out };
        entry.check = { ok: true, maxErr: 0, reference: true };
      } else {
        entry.check = compareOutputs(first.out, reference.out);
      }
      if (first.ms > budget.singleShotMs) {
        // Too slow for repeated sampling: keep the one (cold) call, marked.
        Object.assign(entry, { status: "single", ms: first.ms, minMs: first.ms, samples: 1, rme: NaN });
      } else {
        const bench = new Bench({
          time: budget.time,
          warmupTime: budget.warmupTime,
          iterations: minSamples(budget, first.ms),
          warmupIterations: budget.warmupIterations,
          throws: true,
        });
        bench.add(c.id, prepared.run);
        await bench.run();
        const r = bench.tasks[0].result;
        // The median is the headline; the fastest sample is kept because on a
        // shared VM noise only ever slows a call down, so it is the closer
        // estimate of what the code does on a quiet core.
        Object.assign(entry, { ms: r.latency.p50, minMs: r.latency.min, samples: r.latency.samplesCount, rme: r.latency.rme });
      }
      entry.value = metricOf(wl, entry.ms);
      if (wl.bytes) entry.gbps = wl.bytes / (entry.ms * 1e6); // memory-bound rows: GB/s of the median
      rates.set(c.id, wl.flops / Math.min(entry.ms, first.ms));
      results[c.id] = entry;
    } catch (e) {
      results[c.id] = { status: "error", note: e?.message ?? String(e) };
      log(`  ! ${c.label} on ${wl.label}: ${e?.stack ?? e}`);
    } finally {
      try {
        await prepared?.dispose?.();
      } catch {
        /* a failed dispose must not hide the measurement */
      }
    }
  }
  return { results, reference: reference?.id ?? null };
}
