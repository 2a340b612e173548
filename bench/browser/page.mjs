// What the browser bench page runs (bundled by esbuild with tfjs-core,
// tfjs-layers and tfjs-backend-wasm from node_modules; simdcnn comes in as
// the page loads it, dist/browser.js). Four contestants on the page's main
// thread, where both libraries spin while their workers compute: simdcnn
// and TF.js wasm, each on 1 and 2 threads.
//
// First a check pass: every contestant computes every row's output, and
// each is compared with simdcnn's on one thread. A row whose outputs do not
// all agree is not timed at all (nobody can tell which side is wrong), so a
// broken contestant never looks fast. Then rounds: each contestant in turn
// (so all see the same state of the machine) starts, builds every row and
// times each (a warm-up call, then the fastest and the median of the
// samples, per call). Each timed call starts from the row's Float32Array
// (simdcnn's predict copies it in, TF.js makes a tensor of it) and ends
// with the output in the library's memory, not copied out.

import * as tf from "@tensorflow/tfjs-core";
import * as L from "@tensorflow/tfjs-layers";
import * as tfWasm from "@tensorflow/tfjs-backend-wasm";
import { compareOutputs } from "../lib/data.mjs";
import { timeRuns } from "../lib/threads-measure.mjs";
import { threadRows } from "../lib/threads-rows.mjs";
import { contestantIds, PAGE_ROWS, TFJS_WASM_URL } from "./contestants.mjs";

// Production mode, as a deployed app runs it (no debug checks).
tf.env().set("PROD", true);
// Taken before any removeBackend: each TF.js start re-registers it, since
// the thread count is read when the backend is created.
const wasmFactory = tf.findBackendFactory("wasm");

/** simdcnn on `threads`: init() again (which ends the previous pool), models through the public API. */
function simdcnnOn(lib, threads) {
  return {
    async start() {
      await lib.init({ threads });
      const { backend, binary, threads: running, reason } = lib.capabilities();
      return { backend, binary, threads: running, reason };
    },
    prepare(row) {
      const model = row.build(lib);
      return {
        run: () => model.predict(row.input),
        output: () => Float32Array.from(model.predict(row.input).toArray()),
        dispose: () => model.dispose(),
      };
    },
  };
}

/** The .wasm files the page fetched from TF.js' folder since the resource timings were last cleared. */
function tfjsBinaries() {
  return performance.getEntriesByType("resource")
    .filter((e) => e.name.includes(TFJS_WASM_URL) && e.name.endsWith(".wasm"))
    .map((e) => e.name.slice(e.name.lastIndexOf("/") + 1));
}

/**
 * Runs `start` while navigator.hardwareConcurrency reads `cores`. TF.js
 * 4.22 caps its pool at hardwareConcurrency / 2 (its backend.cc assumes two
 * hardware threads per core), read once as the module starts: on a 2-vCPU
 * machine it would run one thread whatever setThreadsCount asks. Shown
 * twice the threads asked for, it runs exactly those, as getThreadsCount()
 * then confirms; the page's own value is back once TF.js has started.
 */
async function showingCores(cores, start) {
  Object.defineProperty(navigator, "hardwareConcurrency", { value: cores, configurable: true });
  try {
    return await start();
  } finally {
    delete navigator.hardwareConcurrency;
  }
}

/**
 * TF.js wasm on `threads`: a fresh backend (removeBackend ends the previous
 * one's workers) with setThreadsCount, so its own thread pool has that size.
 * What it says it runs is taken from TF.js itself (its thread-support flag,
 * getThreadsCount()) and from the binary the page fetched.
 */
function tfjsOn(threads) {
  return {
    async start() {
      if (tf.engine().registryFactory["wasm"] !== undefined) tf.removeBackend("wasm");
      tfWasm.setWasmPaths(TFJS_WASM_URL);
      tfWasm.setThreadsCount(threads);
      tf.registerBackend("wasm", wasmFactory, 2);
      performance.clearResourceTimings();
      const cores = 2 * threads;
      await showingCores(cores, async () => {
        if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
        await tf.ready();
      });
      return {
        backend: "wasm",
        hardwareConcurrencyShown: cores,
        binaries: tfjsBinaries(),
        multithreadSupport: tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT"),
        simdSupport: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
        threads: tfWasm.getThreadsCount(),
      };
    },
    prepare(row) {
      const model = row.tfjs(tf, L);
      return {
        run: () => model.predict(row.input).dispose(),
        output: () => {
          const y = model.predict(row.input);
          const values = Float32Array.from(y.dataSync());
          y.dispose();
          return values;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}

/** The four contestants by id ("simdcnn-1" ...), in the order they run. */
function contestants(lib) {
  return Object.fromEntries(contestantIds.map((id) => {
    const [name, threads] = id.split("-");
    return [id, name === "simdcnn" ? simdcnnOn(lib, Number(threads)) : tfjsOn(Number(threads))];
  }));
}

/**
 * Starts `contestant`, prepares `rows` (all built before any is disposed:
 * simdcnn's pool stops with its last model), hands each to `use`, then
 * disposes them.
 */
async function withRows(contestant, rows, use) {
  const info = await contestant.start();
  const prepared = rows.map((row) => contestant.prepare(row));
  try {
    for (const [i, row] of rows.entries()) await use(row, prepared[i]);
  } finally {
    for (const p of prepared) p.dispose();
  }
  return info;
}

/**
 * A sample lasts at least this long: a page's clock ticks in 5 us steps
 * (100 us when not cross-origin isolated), too coarse for one LeNet batch-1
 * call (~20 us), so short calls are timed in runs of several.
 */
const MIN_SAMPLE_MS = 1;

/** Calls per sample for `run`: as many as one run of MIN_SAMPLE_MS took (after a warm-up call). */
function callsPerSample(run) {
  run();
  const t0 = performance.now();
  let calls = 0;
  do {
    run();
    calls++;
  } while (performance.now() - t0 < MIN_SAMPLE_MS);
  return calls;
}

/** Fields of a start's report that must be the same at every start of one contestant. */
const identity = (info) => JSON.stringify({ ...info, reason: undefined });

/**
 * The bench: `rounds` timing rounds after the check pass, each row timed
 * for `budgetMs` and at least `minSamples` calls per contestant and round.
 * `log` gets progress lines. Returns plain data (see serve.d.mts).
 */
export async function runBench(lib, { rounds = 3, budgetMs = 600, minSamples = 5, log = console.log } = {}) {
  const byId = new Map(threadRows().map((r) => [r.id, r]));
  const rows = PAGE_ROWS.map((id) => byId.get(id));
  const all = contestants(lib);
  const infos = {};
  const reference = {};
  const checks = Object.fromEntries(rows.map((r) => [r.id, {}]));
  for (const [id, contestant] of Object.entries(all)) {
    log(`check: ${id}`);
    infos[id] = await withRows(contestant, rows, async (row, p) => {
      const out = p.output();
      if (id === contestantIds[0]) {
        reference[row.id] = out;
        return;
      }
      const want = reference[row.id];
      const { ok, maxErr, relErr } = compareOutputs(out, want);
      const bits = new Uint32Array(out.buffer);
      const identical = out.length === want.length && new Uint32Array(want.buffer).every((v, i) => v === bits[i]);
      checks[row.id][id] = { ok, maxErr, relErr, identical };
    });
  }
  const agreed = rows.filter((r) => Object.values(checks[r.id]).every((c) => c.ok));
  const times = Object.fromEntries(rows.map((r) => [r.id, Object.fromEntries(contestantIds.map((id) => [id, []]))]));
  for (let round = 0; round < rounds; round++) {
    for (const [id, contestant] of Object.entries(all)) {
      log(`round ${round + 1}/${rounds}: ${id}`);
      const info = await withRows(contestant, agreed, async (row, p) => {
        const calls = callsPerSample(p.run);
        const run = calls === 1 ? p.run : () => {
          for (let i = 0; i < calls; i++) p.run();
        };
        const t = await timeRuns(run, budgetMs, minSamples);
        times[row.id][id].push({ minMs: t.minMs / calls, ms: t.ms / calls, samples: t.samples, calls });
      });
      if (identity(info) !== identity(infos[id])) {
        throw new Error(`${id} started differently in round ${round + 1}: ${JSON.stringify(info)} after ${JSON.stringify(infos[id])}`);
      }
    }
  }
  return {
    page: { userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency },
    contestants: infos,
    rounds, budgetMs, minSamples,
    rows: rows.map((r) => ({
      id: r.id, label: r.label, unit: r.unit, per: r.per,
      agree: agreed.includes(r), checks: checks[r.id], times: times[r.id],
    })),
  };
}
