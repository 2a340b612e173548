// npm run bench:floor
//
// How fast LeNet-5 at batch 1 could be on this core: the issue asks for 6x
// TF.js wasm, and this works out what that leaves for the convolutions.
// It times, as the fastest mean of batches of calls, the whole model
// through the public API (predict(x).toArray(), as the bench's model row)
// and its two convolutions alone through the Kernels interface (as the
// bench's conv rows); everything else in a predict (pools, dense head,
// softmax, padding, JS and the copies) is the difference. The floor keeps
// that rest as measured and runs the convolutions at 100% of the core's
// peak (bench/lib/peak.mjs). TF.js wasm's time comes from
// bench/results/latest.json (npm run bench) when that has the row.
// Diagnostics, not a benchmark: nothing is asserted.

import "./lib/v8-flags.mjs";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LENET5, describeModel } from "./lib/models.mjs";
import { buildModel, simdcnn } from "./lib/simdcnn.mjs";
import { allWorkloads, conv, workloadData } from "./lib/workloads.mjs";
import { measurePeak } from "./lib/peak.mjs";

const VARIANT = process.argv.includes("--simd") ? "simd" : "relaxed-simd";
const BATCH_CALLS = 200;
const BATCHES = 300;

/** Fastest mean over BATCHES batches of BATCH_CALLS calls, in microseconds. */
function fastestMeanUs(fn) {
  for (let i = 0; i < 2000; i++) fn(); // past V8's baseline tiers
  let best = Infinity;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (let i = 0; i < BATCH_CALLS; i++) fn();
    best = Math.min(best, (performance.now() - t0) / BATCH_CALLS);
  }
  return best * 1000;
}

const contestant = simdcnn(VARIANT);
await contestant.setup();
const described = describeModel(LENET5);
const convs = described.layers
  .filter((l) => l.type === "conv")
  .map((l) => conv(1, l.input[0], l.input[1], l.input[2], l.filters, l.kernel, l.padding));
const convFlops = convs.reduce((s, wl) => s + wl.flops, 0);

const modelRow = allWorkloads().find((w) => w.id === "model-lenet5-b1");
const whole = await contestant.prepare(modelRow, workloadData(modelRow));
const wholeUs = fastestMeanUs(whole.run);
const convUs = [];
for (const wl of convs) convUs.push(fastestMeanUs((await contestant.prepare(wl, workloadData(wl))).run));
const rest = wholeUs - convUs.reduce((a, b) => a + b, 0);
const peak = (await measurePeak({ rounds: 40, ms: 20 }))[VARIANT === "simd" ? "simd" : "relaxed"];
const convAtPeak = convFlops / (peak * 1e3);

const fmt = (x) => x.toFixed(1);
console.log(`# LeNet-5 batch 1: the floor on this core (Node ${process.version}, simdcnn ${VARIANT}, core peak ${fmt(peak)} GFLOP/s)\n`);
console.log(`whole model, predict(x).toArray(): ${fmt(wholeUs)} us for ${(described.flopsPerImage / 1e6).toFixed(2)} MFLOP`);
convs.forEach((wl, i) => console.log(`- ${wl.label}: ${fmt(convUs[i])} us (${fmt(wl.flops / (convUs[i] * 1e3))} GFLOP/s)`));
console.log(`- everything else (pools, dense head, softmax, padding, JS, copies): ${fmt(rest)} us`);
console.log(`floor: ${fmt(rest + convAtPeak)} us = that rest + the convolutions' ${(convFlops / 1e6).toFixed(2)} MFLOP at 100% of the peak (${fmt(convAtPeak)} us)`);

const latest = fileURLToPath(new URL("./results/latest.json", import.meta.url));
const row = existsSync(latest) ? JSON.parse(readFileSync(latest, "utf8")).workloads?.find((w) => w.id === "model-lenet5-b1") : null;
const tfjs = row?.results?.["tfjs-wasm"]?.minMs;
if (typeof tfjs === "number") {
  const sixX = (tfjs * 1000) / 6;
  const left = sixX - rest;
  console.log(`\nTF.js wasm's fastest sample in bench/results/latest.json: ${fmt(tfjs * 1000)} us; 6x that is ${fmt(sixX)} us.`);
  console.log(left > 0
    ? `That leaves ${fmt(left)} us for the convolutions: ${fmt(convFlops / (left * 1e3))} GFLOP/s, ${Math.round((100 * convFlops) / (left * 1e3 * peak))}% of the core's peak.`
    : `The rest alone already takes longer than that.`);
} else {
  console.log("\n(no LeNet-5 batch 1 row in bench/results/latest.json: run npm run bench for TF.js wasm's time)");
}

