// Cold start: wall time from spawning `node cold-start-child.mjs` to the
// child's first prediction (import + init + build LeNet-5 + predict), as the
// median of a few fresh processes.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("../cold-start-child.mjs", import.meta.url));

function once() {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CHILD], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let answered = false;
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (!answered && out.includes("\n")) {
        answered = true;
        const ms = performance.now() - t0;
        try {
          resolve({ ms, ...JSON.parse(out.slice(0, out.indexOf("\n"))) });
        } catch (e) {
          reject(e);
        }
      }
    });
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!answered) reject(new Error(`cold-start child exited with ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Runs the child `runs` times, one after another; returns medians and the backend the child chose. */
export async function measureColdStart(runs) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  return {
    runs,
    medianMs: median(samples.map((s) => s.ms)),
    medianInsideMs: median(samples.map((s) => s.sinceProcessStartMs)),
    samplesMs: samples.map((s) => s.ms),
    medianPhasesMs: Object.fromEntries(Object.keys(samples[0].phasesMs).map((k) => [k, median(samples.map((s) => s.phasesMs[k]))])),
    backend: samples[0].backend,
  };
}
