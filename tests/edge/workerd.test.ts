// simdcnn inside workerd, Cloudflare Workers' runtime: the workerd entry
// (dist/workerd.js) with each wasm binary handed in as the
// WebAssembly.Module workerd compiled at load time. Each variant's predict,
// trainOnBatch and fit must give the same bits as the same binary in Node:
// same wasm code on the same CPU, and relaxed SIMD's one free choice
// (fused or unfused multiply-add) is V8's per-CPU pick in both runtimes.
import * as simdcnn from "simdcnn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedFrom } from "../support/rng.js";
import { F32_EPSILON } from "../tolerances.js";
import { BATCH, CLASSES, FIT_EPOCHS, TRAIN_STEPS, runScenario, type ScenarioResult } from "./scenario.mjs";
import { startWorkerd, type WorkerdServer } from "./workerd-server.js";

const VARIANTS = ["relaxed-simd", "simd", "scalar"] as const;
const SEED = seedFrom("tests/edge/workerd");
const REQUEST_TIMEOUT_MS = 20_000;
/**
 * A sanity bound, not a comparison tolerance (workerd and Node are compared
 * bit for bit): softmax rows sum to 1 up to a few roundings per term.
 */
const SOFTMAX_SUM_TOLERANCE = 8 * CLASSES * F32_EPSILON;

interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
  isBackendError: boolean;
}

type InitOutcome = { rejected: false; capabilities: simdcnn.Capabilities } | { rejected: true; thrown: ErrorInfo };

let server: WorkerdServer | undefined;

/** POSTs to the worker; an error raised inside workerd fails the test with its stack and workerd's log. */
async function ask<T>(path: string, body?: unknown): Promise<T> {
  if (server === undefined) throw new Error("workerd did not start (see the beforeAll failure)");
  let response: Response;
  try {
    response = await fetch(`${server.url}${path}`, {
      method: "POST",
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    // workerd crashed or hung: what it printed says why.
    throw new Error(`request ${path} to workerd failed: ${String(e)}\n--- workerd output ---\n${server.logs()}`);
  }
  const text = await response.text();
  let answer: { error?: ErrorInfo } & T;
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new Error(`workerd answered ${path} with HTTP ${response.status}, not JSON: ${text}\n${server.logs()}`);
  }
  if (answer.error !== undefined) {
    const e = answer.error;
    throw new Error(`inside workerd, ${path} threw ${e.name}: ${e.message}\n${e.stack ?? ""}\n--- workerd output ---\n${server.logs()}`);
  }
  return answer;
}

function floats32(hex: string): Float32Array {
  return new Float32Array(Uint8Array.from(Buffer.from(hex, "hex")).buffer);
}

function floats64(hex: string): Float64Array {
  return new Float64Array(Uint8Array.from(Buffer.from(hex, "hex")).buffer);
}

/** null when the two encodings hold the same bits; otherwise where and by how much they differ. */
function mismatch(what: string, edgeHex: string, nodeHex: string, decode: (hex: string) => Float32Array | Float64Array): string | null {
  if (edgeHex === nodeHex) return null;
  const edge = decode(edgeHex);
  const node = decode(nodeHex);
  if (edge.length !== node.length) return `${what}: workerd gave ${edge.length} values, Node ${node.length}`;
  let first = -1;
  let count = 0;
  let maxDiff = 0;
  for (let i = 0; i < edge.length; i++) {
    if (Object.is(edge[i], node[i])) continue;
    if (first < 0) first = i;
    count++;
    maxDiff = Math.max(maxDiff, Math.abs(edge[i]! - node[i]!));
  }
  return `${what}: ${count} of ${edge.length} values differ in their bits; first at [${first}] ` +
    `(workerd ${edge[first]}, Node ${node[first]}), largest difference ${maxDiff}`;
}

/** Every bit of `edge` against `node`, as one list of differences (empty when identical). */
function differences(edge: ScenarioResult, node: ScenarioResult): string[] {
  const found: (string | null)[] = [
    ...node.initial.map((w, i) => mismatch(`initial weights[${i}] (drawn from the seed)`, edge.initial[i] ?? "", w, floats32)),
    mismatch("predict", edge.predicted, node.predicted, floats32),
    mismatch("trainOnBatch losses", edge.stepLosses, node.stepLosses, floats64),
    mismatch("predict after training", edge.predictedAfterSteps, node.predictedAfterSteps, floats32),
    mismatch("fit losses", edge.fitLosses, node.fitLosses, floats64),
  ];
  node.afterSteps.forEach((w, i) => found.push(mismatch(`weights[${i}] after trainOnBatch`, edge.afterSteps[i] ?? "", w, floats32)));
  node.afterFit.forEach((w, i) => found.push(mismatch(`weights[${i}] after fit`, edge.afterFit[i] ?? "", w, floats32)));
  if (edge.afterSteps.length !== node.afterSteps.length) found.push("workerd returned a different number of weight arrays");
  return found.filter((d): d is string => d !== null);
}

/**
 * The Node result is the reference the workerd one is compared with; these
 * checks make sure it is a real forward pass and real training, so two
 * runtimes cannot agree on nothing.
 */
function expectMeaningful(result: ScenarioResult): void {
  const probs = floats32(result.predicted);
  expect(probs.length).toBe(BATCH * CLASSES);
  for (let b = 0; b < BATCH; b++) {
    const row = Array.from(probs.subarray(b * CLASSES, (b + 1) * CLASSES));
    for (const p of row) expect(p > 0 && p < 1, `softmax output ${p} in (0, 1)`).toBe(true);
    expect(Math.abs(row.reduce((s, p) => s + p, 0) - 1)).toBeLessThanOrEqual(SOFTMAX_SUM_TOLERANCE);
  }
  expect(Array.from(probs.subarray(0, CLASSES))).not.toEqual(Array.from(probs.subarray(CLASSES)));

  const losses = floats64(result.stepLosses);
  expect(losses.length).toBe(TRAIN_STEPS);
  for (const l of losses) expect(Number.isFinite(l) && l > 0, `loss ${l} finite and positive`).toBe(true);
  // Adam at lr 0.01, three steps on the same batch: the loss must go down.
  expect(losses[TRAIN_STEPS - 1]!).toBeLessThan(losses[0]!);
  expect(result.predictedAfterSteps).not.toBe(result.predicted);
  // Every kernel and bias receives a gradient here (ReLUs half alive), so every array moves.
  result.afterSteps.forEach((w, i) => expect(w, `weights[${i}] changed by trainOnBatch`).not.toBe(result.initial[i]));
  result.afterFit.forEach((w, i) => expect(w, `weights[${i}] changed by fit`).not.toBe(result.afterSteps[i]));
  const fitLosses = floats64(result.fitLosses);
  expect(fitLosses.length).toBe(FIT_EPOCHS);
  for (const l of fitLosses) expect(Number.isFinite(l) && l > 0).toBe(true);
}

describe("simdcnn in workerd (Cloudflare Workers' runtime)", () => {
  beforeAll(async () => {
    server = await startWorkerd();
  }, 45_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("hands each .wasm module import to the worker as a compiled WebAssembly.Module", async () => {
    const ready = await ask<{ wasmImportsAreModules: Record<string, boolean> }>("/ready");
    expect(ready.wasmImportsAreModules).toEqual({ "relaxed-simd": true, simd: true, scalar: true });
  });

  for (const variant of VARIANTS) {
    it(`${variant}: init({ wasm: module }) runs, and predict / trainOnBatch / fit match Node bit for bit`, async () => {
      const { result: edge } = await ask<{ result: ScenarioResult }>("/run", { backend: variant, seed: SEED });
      const node = await runScenario(simdcnn, { backend: variant, nodeRelaxedSimdFlag: variant === "relaxed-simd" }, SEED);

      expect(edge.capabilities.backend).toBe(variant);
      // workerd's V8 has both SIMD proposals on by default (relaxed SIMD shipped in V8 11.4).
      expect(edge.capabilities).toMatchObject({ simd: true, relaxedSimd: true, threads: 1 });
      expect(node.capabilities.backend).toBe(variant);
      expectMeaningful(node);
      expect(differences(edge, node)).toEqual([]);
    });
  }

  it("init() without a wasm module takes the relaxed-SIMD module the workerd entry imports", async () => {
    const outcome = await ask<InitOutcome>("/init-without-wasm");
    if (outcome.rejected) throw new Error(`init() rejected in workerd: ${outcome.thrown.message}`);
    expect(outcome.capabilities.backend).toBe("relaxed-simd");
    expect(outcome.capabilities.reason).toMatch(/validates relaxed SIMD/);
  });

  it("init({ threads: 2 }) runs on one thread, on the one-thread binary, and says why", async () => {
    const outcome = await ask<InitOutcome>("/init-threads");
    if (outcome.rejected) throw new Error(`init({ threads: 2 }) rejected in workerd: ${outcome.thrown.message}`);
    expect(outcome.capabilities).toMatchObject({ backend: "relaxed-simd", threads: 1, binary: "relaxed-simd" });
    expect(outcome.capabilities.reason).toMatch(/It runs on one thread, not 2: no worker threads on this platform\.$/);
  });

  it("init({ backend: \"scalar\" }) without a module says the entry ships relaxed-simd and simd only", async () => {
    const outcome = await ask<InitOutcome>("/init-scalar-without-wasm");
    expect(outcome.rejected).toBe(true);
    if (!outcome.rejected) return;
    expect(outcome.thrown.isBackendError).toBe(true);
    expect(outcome.thrown.message).toContain("the workerd entry ships the 'relaxed-simd' and 'simd' wasm builds, not 'scalar'");
    expect(outcome.thrown.message).toContain("init({ wasm: module })");
  });

  it("init({ wasm: bytes }) rejects with a BackendError carrying workerd's refusal to compile bytes", async () => {
    const outcome = await ask<InitOutcome>("/init-from-bytes");
    expect(outcome.rejected, "workerd should refuse to compile wasm bytes at run time").toBe(true);
    if (!outcome.rejected) return;
    expect(outcome.thrown.isBackendError).toBe(true);
    expect(outcome.thrown.message).toContain("could not instantiate the 'scalar' wasm build");
    expect(outcome.thrown.message).toMatch(/Wasm code generation disallowed by embedder/);
  });
});
