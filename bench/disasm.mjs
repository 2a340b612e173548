// npm run bench:disasm [-- --shape=m,k,n] [--listing]
//
// Why the GEMM micro-kernel runs at the speed it does, from the machine
// code V8 generates for it: runs one GEMM per wasm binary in a child Node
// with --print-wasm-code, finds the inner loops TurboFan compiled, counts
// their instructions by kind per 8 multiplies (64 flops: one k-step of the
// relaxed build's 4x8 tile or of the plain-SIMD build's 2x16 tile) and sets that next to the measured GFLOP/s and the core's peak
// (bench/lib/peak.mjs), as cycles and vector operations per cycle.
// Diagnostics, not a benchmark: nothing is asserted.

import "./lib/v8-flags.mjs";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { KINDS, innerLoops, parseDump } from "./lib/disasm-parse.mjs";
import { measurePeak } from "./lib/peak.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const [m, k, n] = arg("shape", "256,256,256").split(",").map(Number);
const listing = process.argv.includes("--listing");
const nodeMajor = Number(process.versions.node.split(".")[0]);
/** Flops in one k-step of the 4x8 or 2x16 tile: 8 vector multiply(-add)s of 4 lanes, 2 flops each. */
const FLOPS_PER_8_MULTIPLIES = 64;
/** Flops a cycle at the peak: 2 pipes x 4 lanes x 2 (FMA, or a mul pipe and an add pipe each). */
const PEAK_FLOPS_PER_CYCLE = 16;

const peak = await measurePeak();
console.log(`# GEMM ${m}x${k}x${n}: the inner loops V8 compiled (Node ${process.version}, ${process.arch})`);
console.log(`core peak in this process: relaxed FMA ${fmt(peak.relaxed)}, SIMD mul+add ${fmt(peak.simd)} GFLOP/s`);

for (const [variant, peakKey] of [["simd", "simd"], ["relaxed-simd", "relaxed"]]) {
  const file = `${root}dist/wasm/${variant}.wasm`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  if (typeof peak[peakKey] !== "number") {
    console.log(`\n## ${variant}: not run (${peak[peakKey].error})`);
    continue;
  }
  const flags = ["--print-wasm-code", ...(variant === "relaxed-simd" && nodeMajor < 22 ? ["--experimental-wasm-relaxed-simd"] : [])];
  const child = spawnSync(process.execPath, [...flags, `${root}bench/lib/disasm-child.mjs`, file, m, k, n].map(String),
    { encoding: "utf8", maxBuffer: 1 << 30 });
  if (child.status !== 0) throw new Error(`disasm child failed for ${variant}: ${child.stderr}`);
  const result = JSON.parse(/^@@result (.+)$/m.exec(child.stdout)[1]);
  const loops = innerLoops(parseDump(child.stdout));
  if (loops.length === 0) throw new Error(`no multiplying loop found in ${variant}'s TurboFan code (did the dump format change?)`);
  // Clock from the peak loops, which run at PEAK_FLOPS_PER_CYCLE flops a
  // cycle (the faster of the two: noise only slows a run down).
  const ghz = Math.max(...Object.values(peak).filter((p) => typeof p === "number")) / PEAK_FLOPS_PER_CYCLE;
  const cycles = (FLOPS_PER_8_MULTIPLIES / result.gflops) * ghz;
  console.log(`\n## ${variant}: ${fmt(result.gflops)} GFLOP/s = ${pct(result.gflops / (ghz * PEAK_FLOPS_PER_CYCLE))} of peak`);
  console.log(`at the peak loop's ${ghz.toFixed(2)} GHz: ${cycles.toFixed(2)} cycles per 8 multiplies (64 flops: one 4x8 or 2x16 k-step)`);
  console.log(`\n| loop (function, offsets) | copies | ${KINDS.join(" | ")} | vector ops | per cycle | stack reads |`);
  console.log(`|---|---:|${KINDS.map(() => "---:").join("|")}|---:|---:|---:|`);
  for (const loop of loops) {
    const per8 = (kind) => ((loop.counts[kind] ?? 0) * 8) / loop.multiplies;
    const vectorOps = per8("broadcast") + per8("vload") + per8("vstore") + per8("fp") + per8("vother");
    const where = `${loop.function} +0x${loop.start.toString(16)}..0x${loop.end.toString(16)}`;
    const stack = (loop.stackReads * 8) / loop.multiplies;
    console.log(`| ${where} | ${loop.copies} | ${KINDS.map((kind) => per8(kind).toFixed(1)).join(" | ")} | ${vectorOps.toFixed(1)} | ${(vectorOps / cycles).toFixed(2)} | ${stack.toFixed(2)} |`);
  }
  console.log(`\nCounts are per 8 multiplies${loops[0].fused ? " (fused multiply-adds)" : " (each followed by an add)"}; "per cycle" assumes the loop ran at the measured speed; ` +
    `"stack reads" are loads from the frame (spills, V8's stack-limit address), also counted in their kind: one more than the stack check's share means V8 spilled something the loop uses.`);
  if (listing) {
    console.log(`\n${loops[0].function} +0x${loops[0].start.toString(16)}:`);
    for (const ins of loops[0].instructions) console.log(`  ${ins.offset.toString(16).padStart(5)}  ${ins.text.replace(/\s+0x[0-9a-f]+\s+</, " <")}`);
  }
}

function fmt(x) {
  return typeof x === "number" ? x.toFixed(1) : "n/a";
}
function pct(x) {
  return `${Math.round(x * 100)}%`;
}
