// The threads section of `npm run bench`: the rows of issue 15 through the
// public API, on one thread and on `threads` (2 here), in the same process,
// alternating rounds so both counts see the same machine state. Each row
// reports our 1-thread and n-thread numbers, the speed-up and the
// efficiency (speed-up / threads); the GEMM rows also ORT-web's own 1 and n
// threads (MatMul, a child process per count). The outputs of both counts
// are compared bit for bit (for the training row: every weight after one
// step from the same start, taken before the timed steps). The rows are in
// threads-rows.mjs, shared with the browser page (bench/browser/).

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { GEMM_SIZES, rowMetric as metric, threadRows } from "./threads-rows.mjs";
import { fmt, formatTable } from "./table.mjs";
import { THREAD_PEER_TARGET, THREAD_TARGETS } from "./targets.mjs";
import { timeRuns } from "./threads-measure.mjs";

const predict = (model, x) => model.predict(x);
const predictOutput = (model, x) => model.predict(x).toArray().slice();

/** ORT-web's GEMM rows at `threads`, from a child process; an { error } when it cannot run. */
async function ortGemm(threads, budgetMs) {
  const child = fileURLToPath(new URL("./threads-ort-child.mjs", import.meta.url));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [child, String(threads), GEMM_SIZES.join(","), String(budgetMs)],
      { timeout: 300_000 });
    return JSON.parse(stdout.trim().split("\n").pop());
  } catch (e) {
    return { error: e.message.split("\n")[0] };
  }
}

export async function runThreadsBench({ api, quick, log, threads = 2 }) {
  const backend = (await api.init()).backend;
  if (backend !== "relaxed-simd" && backend !== "simd") {
    log(`\n## Threads\n\nskipped: the best binary here is '${backend}', which has no threaded build.`);
    return { skipped: backend };
  }
  const list = threadRows();
  const rounds = quick ? 1 : 3;
  const budgetMs = quick ? 150 : 600;
  const best = Object.fromEntries(list.map((r) => [r.id, { 1: [], [threads]: [] }]));
  const outputs = Object.fromEntries(list.map((r) => [r.id, {}]));
  let reason = "";
  for (let round = 0; round < rounds; round++) {
    for (const count of [1, threads]) {
      const caps = await api.init({ backend, threads: count, nodeRelaxedSimdFlag: true });
      if (caps.threads !== count) throw new Error(`threads bench: asked for ${count} threads, got ${caps.threads}: ${caps.reason}`);
      if (count > 1) reason = caps.reason;
      // All built before any is disposed: the pool stops with the last
      // model and restarts only asynchronously, after the next one is built.
      const models = list.map((row) => row.build(api));
      for (const [i, row] of list.entries()) {
        const model = models[i];
        // Checked first: the training row's check is one step from the weights it was built with.
        if (round === 0) outputs[row.id][count] = new Uint32Array((row.check ?? predictOutput)(model, row.input).buffer);
        const run = row.run ?? predict;
        const t = await timeRuns(() => run(model, row.input), budgetMs);
        best[row.id][count].push(t);
      }
      for (const model of models) model.dispose();
    }
  }
  const ort = { 1: await ortGemm(1, budgetMs * rounds), [threads]: await ortGemm(threads, budgetMs * rounds) };
  const fastest = (id, count) => Math.min(...best[id][count].map((t) => t.minMs));
  const median = (id, count) => best[id][count].map((t) => t.ms).sort((a, b) => a - b)[best[id][count].length >> 1];
  const report = list.map((row) => {
    const one = fastest(row.id, 1);
    const many = fastest(row.id, threads);
    const a = outputs[row.id][1];
    const b = outputs[row.id][threads];
    const identical = a.length === b.length && a.every((v, i) => v === b[i]);
    const ortRow = (count) => (ort[count].error || !ort[count][row.id] ? null : ort[count][row.id]);
    return {
      id: row.id, label: row.label, unit: row.unit,
      one: metric(row, one), many: metric(row, many), speedup: one / many, efficiency: one / many / threads,
      medianSpeedup: median(row.id, 1) / median(row.id, threads), identical,
      ort1: ortRow(1) && metric(row, ortRow(1).minMs), ortMany: ortRow(threads) && metric(row, ortRow(threads).minMs),
    };
  });
  log(`\n## Threads: ${threads} against 1 (${backend}; public API; fastest of ${rounds} alternating rounds; indicative on a shared machine)\n`);
  log(formatTable(
    ["row", "unit", "1 thread", `${threads} threads`, "speed-up", "efficiency", "median speed-up", "bit-identical",
      "ORT 1 thread", `ORT ${threads} threads`],
    report.map((r) => [r.label, r.unit, fmt(r.one), fmt(r.many), `${fmt(r.speedup)}x`, `${Math.round(r.efficiency * 100)}%`,
      `${fmt(r.medianSpeedup)}x`, r.identical ? "yes" : "NO", r.ort1 === null ? "-" : fmt(r.ort1), r.ortMany === null ? "-" : fmt(r.ortMany)]),
    (i) => i > 1,
  ));
  log(`\n${reason}`);
  for (const count of [1, threads]) if (ort[count].error) log(`ORT with ${count} thread(s) unavailable: ${ort[count].error}`);
  const targets = [
    ...THREAD_TARGETS.map((t) => {
      const r = report.find((x) => x.id === t.id);
      return { target: t.target, value: r ? `${fmt(r.speedup)}x` : "-", met: r ? r.speedup >= t.goal : null };
    }),
    ...THREAD_PEER_TARGET.ids.map((id) => {
      const r = report.find((x) => x.id === id);
      const ok = r && r.ortMany !== null;
      return { target: `${THREAD_PEER_TARGET.target} (${id})`, value: ok ? `${fmt(r.many)} vs ${fmt(r.ortMany)}` : "-", met: ok ? r.many > r.ortMany : null };
    }),
  ];
  log(`\n### Issue 15 targets (fastest samples)\n`);
  log(formatTable(["target", "measured", "met"], targets.map((t) => [t.target, t.value, t.met === null ? "no data" : t.met ? "yes" : "NO"]),
    (i) => i === 1));
  await api.init({ backend, nodeRelaxedSimdFlag: true });
  return { backend, threads, rows: report, targets, ort };
}
