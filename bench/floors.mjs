// npm run bench:floor
//
// The two targets of issue 3 that the bench reports missed, held against
// what this core allows. Diagnostics, not a benchmark: nothing is asserted.
//
// 1. Conv 56x56x64->64 in plain SIMD at 5.8 ms. Every plain-SIMD kernel
//    tile issues 22 vector ops per 64 flops; the fastest loop of them is
//    the 2x16 tile's single-segment GEMM loop. Its best rate on the GEMM rows here,
//    with the conv's own unavoidable extra (the zero-padded copy of the
//    input: 'same' minus 'valid' on a pre-padded 58x58 input), gives the
//    conv's floor.
//
// 2. LeNet-5 at batch 1 at 6x TF.js wasm: what that leaves for the
//    convolutions. It times, as the fastest mean of batches of calls, the whole model
// through the public API (predict(x).toArray(), as the bench's model row)
// and its two convolutions alone through the Kernels interface (as the
// bench's conv rows); everything else in a predict (pools, dense head,
// softmax, padding, JS and the copies) is the difference. The floor keeps
// that rest as measured and runs the convolutions at 100% of the core's
// peak (bench/lib/peak.mjs). TF.js wasm's time comes from
// bench/results/latest.json (npm run bench) when that has the row.

import "./lib/v8-flags.mjs";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { LENET5, describeModel } from "./lib/models.mjs";
import { buildModel, simdcnn } from "./lib/simdcnn.mjs";
import { allWorkloads, conv, workloadData } from "./lib/workloads.mjs";
import { measurePeak } from "./lib/peak.mjs";

const VARIANT = "relaxed-simd";
const BATCH_CALLS = 200;
const BATCHES = 300;

/** Fastest mean over BATCHES batches of `calls` calls, in microseconds. */
function fastestMeanUs(fn, calls = BATCH_CALLS) {
  for (let i = 0; i < Math.max(20, calls * 10); i++) fn(); // past V8's baseline tiers
  let best = Infinity;
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    best = Math.min(best, (performance.now() - t0) / calls);
  }
  return best * 1000;
}

const fmt = (x) => x.toFixed(1);
const ms = (us) => (us / 1000).toFixed(2);

// ---- 1. plain-SIMD conv 56x56x64->64 ---------------------------------------------

{
  const simd = simdcnn("simd");
  await simd.setup();
  // The fastest of the GEMM rows, to err on the low side of the floor.
  let loopRate = 0;
  let loopRow = "";
  for (const id of ["gemm-256", "gemm-512", "dense-32x784x128"]) {
    const wl = allWorkloads().find((w) => w.id === id);
    const us = fastestMeanUs((await simd.prepare(wl, workloadData(wl))).run, id === "gemm-512" ? 4 : 20);
    const rate = wl.flops / (us * 1e3);
    if (rate > loopRate) [loopRate, loopRow] = [rate, wl.label];
  }
  const same = conv(1, 56, 56, 64, 64, 3, "same");
  const valid = conv(1, 58, 58, 64, 64, 3, "valid");
  const sameUs = fastestMeanUs((await simd.prepare(same, workloadData(same))).run, 4);
  const validUs = fastestMeanUs((await simd.prepare(valid, workloadData(valid))).run, 4);
  const floorUs = same.flops / (loopRate * 1e3) + (sameUs - validUs);
  console.log(`# Conv 56x56x64->64 in plain SIMD (Node ${process.version}): target 5.8 ms\n`);
  console.log(`measured: ${ms(sameUs)} ms 'same' (${fmt(same.flops / (sameUs * 1e3))} GFLOP/s); ${ms(validUs)} ms 'valid' on a pre-padded 58x58 input`);
  console.log(`the fastest plain-SIMD loop (the 2x16 tile's GEMM loop, best of GEMM 256^3, 512^3, 32x784x128): ${fmt(loopRate)} GFLOP/s on ${loopRow}`);
  console.log(`floor: ${ms(floorUs)} ms = ${(same.flops / 1e6).toFixed(1)} MFLOP at that rate (${ms(same.flops / (loopRate * 1e3))} ms) + the padded copy (${ms(sameUs - validUs)} ms),`);
  console.log(`with no epilogue or kernel-row loop overhead at all\n`);
}

// ---- 2. LeNet-5 batch 1 ------------------------------------------------------------

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

