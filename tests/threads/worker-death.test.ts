// A worker that ends in the middle of a call (SIMDCNN_TEST_WORKER_FAIL,
// read by the worker script): it exits on its first task (its own "exit"
// handler runs), or it runs out of memory there (V8 ends it, and none of its
// JS runs: only the supervisor thread sees it end). Either way the call
// fails with a BackendError instead of waiting forever, the pool is
// stopped, later calls run on the calling thread and say so in
// capabilities(), and the process still exits on its own. Run in a child
// process, so a hang is a timeout here rather than a stuck test runner.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

const script = `
  import { init, capabilities, BackendError, Dense, Sequential } from ${JSON.stringify(ENTRY)};
  const caps = await init({ backend: "simd", threads: 2 });
  // Big enough to split (tests/threads/models.ts): batch 64 of 300 -> 257.
  const model = new Sequential([new Dense({ units: 257 })], { inputShape: [300], seed: 1 });
  const x = new Float32Array(64 * 300).fill(0.5);
  const started = Date.now();
  let error = null;
  try {
    model.predict(x);
  } catch (e) {
    error = e;
  }
  const report = {
    before: caps.threads,
    ms: Date.now() - started,
    backendError: error instanceof BackendError,
    message: String(error && error.message),
    after: capabilities(),
  };
  // The next call runs on the calling thread alone, and computes.
  report.next = Array.from(model.predict(x).toArray().slice(0, 3));
  console.log(JSON.stringify(report));
`;

interface Report {
  before: number;
  ms: number;
  backendError: boolean;
  message: string;
  after: { threads: number; binary: string; reason: string };
  next: number[];
}

function runChild(failure: string, flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [...flags, "--input-type=module", "-e", script],
      { timeout: 20_000, env: { ...process.env, SIMDCNN_TEST_WORKER_FAIL: failure } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? null, stdout,
          stderr: stderr + (error?.message ?? ""), ms: Date.now() - started });
      });
  });
}

describe("a worker that ends during a call", () => {
  it.each([
    ["exits", "exit-in-call", []],
    // A small heap for every thread: the flag, refused in a worker's execArgv, must not keep the pool from starting.
    ["runs out of memory", "oom-in-call", ["--max-old-space-size=128"]],
  ])("%s: the call fails with a BackendError, the backend falls back to one thread, and Node exits", async (_, failure, flags) => {
    const { code, stdout, stderr, ms } = await runChild(failure, flags);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.before).toBe(2);
    expect(report.backendError, report.message).toBe(true);
    expect(report.message).toMatch(/worker thread ended during a kernel call/);
    expect(report.ms, "the failed call returned within seconds").toBeLessThan(5_000);
    expect(report.after).toMatchObject({ threads: 1, binary: "simd-threads" });
    expect(report.after.reason).toMatch(/ran on 2 threads until a worker ended .*runs on one thread now/);
    expect(report.next).toHaveLength(3);
    for (const v of report.next) expect(Number.isFinite(v)).toBe(true);
    // The 20 s kill would have set an error; this says the process ended well before.
    expect(ms).toBeLessThan(15_000);
  });
});
