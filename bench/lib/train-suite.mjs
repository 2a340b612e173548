// The training part of `npm run bench`: samples/s of one SGD step (batch 32)
// for LeNet-5, the small VGG and ResNet-8, batch 16 for MobileNetV2, simdcnn (each binary and plain JS) against
// ConvNetJS and TensorFlow.js (cpu; wasm cannot train convolutions), in this
// process. Quick mode: LeNet only, the best binary, ConvNetJS and TF.js cpu.

import { trainData, trainWorkloads } from "./train-workloads.mjs";
import { TRAIN_BUDGETS, measureTraining } from "./train-measure.mjs";
import { simdcnnTrainer } from "./train-simdcnn.mjs";
import { convnetjsTrainer } from "./train-convnetjs.mjs";
import { tfjsCpuTrainer, tfjsWasmTrainer } from "./train-tfjs.mjs";
import { fmt, formatTable, ratio } from "./table.mjs";

const SIMDCNN_BINARIES = ["relaxed", "simd", "scalar"];

/** The issue's targets for LeNet: simdcnn's best over each peer. */
const TARGETS = { convnetjs: 20, "tfjs-cpu": 200 };

const PEERS = [
  ["js", "vs js"],
  ["convnetjs", "vs ConvNetJS"],
  ["tfjs-cpu", "vs TF.js cpu"],
];

function contestantsFor(quick) {
  const binaries = quick ? ["relaxed-simd"] : ["relaxed-simd", "simd", "scalar", "js"];
  const peers = quick ? [convnetjsTrainer(), tfjsCpuTrainer()] : [convnetjsTrainer(), tfjsCpuTrainer(), tfjsWasmTrainer()];
  return [...binaries.map(simdcnnTrainer), ...peers];
}

/** A cell: samples/s plus marks (! update mismatch, ? unchecked, * one cold step). */
function trainCell(entry, checkable) {
  if (!entry) return "";
  if (entry.status === "n/a") return "n/a";
  if (entry.status === "skipped") return "skip";
  if (entry.status === "error") return /BackpropFilter|not yet implemented/.test(entry.note) ? "cannot" : "ERR";
  let marks = "";
  if (checkable && !entry.check) marks += "?";
  else if (entry.check && !entry.check.ok) marks += "!";
  if (entry.status === "single") marks += "*";
  return fmt(entry.value) + marks;
}

/** The fastest simdcnn wasm binary whose update did not mismatch. */
function bestSimdcnn(results) {
  let best = null;
  for (const id of SIMDCNN_BINARIES) {
    const r = results[id];
    if (!r || !(r.status === "ok" || r.status === "single") || (r.check && !r.check.ok)) continue;
    if (!best || r.value > results[best].value) best = id;
  }
  return best;
}

function speedup(results, best, other) {
  const r = results[other];
  if (!best || !r || !(r.status === "ok" || r.status === "single")) return NaN;
  return results[best].value / r.value;
}

/**
 * Runs the training rows and prints their section. Returns the JSON part of
 * the report: { budget, contestants, workloads }.
 */
export async function runTrainingBench({ quick, only, log }) {
  const budget = quick ? TRAIN_BUDGETS.quick : TRAIN_BUDGETS.full;
  const contestants = contestantsFor(quick);
  const loaded = {};
  log(`\n## Training (one SGD step, lr 0.01, categorical cross-entropy; ${quick ? "quick" : "full"})\n`);
  const setup = async (c) => {
    try {
      loaded[c.id] = await c.setup();
    } catch (e) {
      loaded[c.id] = `UNAVAILABLE: ${e.message}`;
      c.supports = () => loaded[c.id];
    }
    log(`- ${c.label}: ${loaded[c.id]}`);
  };
  for (const c of contestants) await setup(c);
  if (quick && contestants[0].supports() !== true) {
    // Quick mode times the best binary only: without relaxed SIMD that is SIMD.
    contestants[0] = simdcnnTrainer("simd");
    await setup(contestants[0]);
  }

  const workloads = trainWorkloads().filter((w) => (quick ? w.quick : true) && (!only || w.id.includes(only)));
  const rates = new Map();
  const rows = [];
  for (const wl of workloads) {
    const t0 = performance.now();
    const data = trainData(wl);
    const { results, reference } = await measureTraining(wl, data, contestants, budget, rates, log);
    rows.push({ wl, results, reference });
    const summary = contestants.map((c) => `${c.id} ${trainCell(results[c.id], c.checkable)}`).join(", ");
    log(`- ${wl.label} [${wl.unit}]: ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  if (rows.length === 0) return { budget, contestants: loaded, workloads: [] };

  const peers = PEERS.filter(([id]) => contestants.some((c) => c.id === id));
  const headers = ["workload", "unit", ...contestants.map((c) => c.id), "best", ...peers.map(([, h]) => h)];
  const tableRows = rows.map(({ wl, results }) => {
    const best = bestSimdcnn(results);
    return [
      wl.label, wl.unit,
      ...contestants.map((c) => trainCell(results[c.id], c.checkable)),
      best ?? "-",
      ...peers.map(([id]) => ratio(speedup(results, best, id))),
    ];
  });
  log("");
  log(formatTable(headers, tableRows, (i) => i > 1));
  log(`\nsamples/s = batch / mean step time over the steps after one warm-up step (${budget.timeMs} ms, at least ${budget.minSteps}). ` +
    `Step = forward + backward + SGD update on one batch (ConvNetJS: one train() call per sample, one update).`);
  log(`Marks: ! weight updates of the first step differ from the reference's, ? unchecked, * one cold step only; ` +
    `skip = estimated slower than ${budget.maxStepMs / 1000} s per step; cannot = the backend cannot train this model. ` +
    `ConvNetJS has its own weight layout and init: timed, not checked.`);

  const notes = [];
  for (const { wl, results, reference } of rows) {
    const best = bestSimdcnn(results);
    notes.push(`- ${wl.label}: first-step updates checked against ${reference ?? "nothing (no reference ran)"}` +
      (reference ? `; worst relative update difference ${contestants
        .filter((c) => c.checkable && c.id !== reference && results[c.id]?.check)
        .map((c) => {
          const check = results[c.id].check;
          return `${c.id} ${fmt(check.relErr)}${check.tensor >= 0 ? ` (weight ${check.tensor})` : ""}${check.ok ? "" : ` MISMATCH: ${check.note ?? ""}`}`;
        })
        .join(", ")}` : ""));
    if (best && wl.data === "mnist") {
      const met = Object.entries(TARGETS).map(([id, want]) => {
        const got = speedup(results, best, id);
        return `${want}x ${id}: ${ratio(got)} ${Number.isFinite(got) ? (got >= want ? "(met)" : "(not met)") : ""}`.trim();
      });
      notes.push(`- ${wl.label} targets (issue): ${met.join("; ")}`);
    }
    for (const c of contestants) {
      const r = results[c.id];
      if (r?.status === "error") notes.push(`- ${c.label} on ${wl.label}: ${r.note}`);
      if (r?.status === "skipped") notes.push(`- skipped ${c.label} on ${wl.label}: ${r.note}`);
      if (r?.status === "n/a") notes.push(`- ${c.label} on ${wl.label}: ${r.note}`);
    }
  }
  log(`\n${notes.join("\n")}`);

  return {
    budget,
    contestants: loaded,
    workloads: rows.map(({ wl, results, reference }) => {
      const best = bestSimdcnn(results);
      return {
        id: wl.id, label: wl.label, unit: wl.unit, batch: wl.batch, model: wl.spec.name, data: wl.data,
        reference, best,
        speedups: Object.fromEntries(PEERS.map(([id]) => [id, speedup(results, best, id)]).filter(([, v]) => Number.isFinite(v))),
        results,
      };
    }),
  };
}
