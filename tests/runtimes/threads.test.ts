// init({ threads: 2 }) under Deno and Bun, which run the Node entry and
// start the pool with their own node:worker_threads (the supervisor thread
// and its workers, src/threads/supervise-node.ts): the threads workload
// (tests/browser/threads-scenario.js) must predict on 2 threads what Node
// predicts on one with the same build, bit for bit, and the process must
// end by itself once the model is disposed (runConsumer fails on its 30 s
// timeout). A worker that exits during a call must fail that call with a
// BackendError, not hang, and the next call runs on one thread.
//
// Deno runs with the README's permission alone (--allow-read): the worker
// must not need --allow-env (its test hook is read only where granted).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capabilities } from "simdcnn";
import type { ConsumerProject } from "../support/tarball.js";
import type { ThreadsResult } from "../browser/threads-scenario.js";
import { BUN, DENO, consumerProject, runConsumer } from "./run-consumer.js";

interface Run {
  runtime: string;
  result: ThreadsResult;
}

interface Death {
  runtime: string;
  initReturned: Capabilities;
  error: { name: string; message: string } | null;
  after: Capabilities;
  next: number[];
}

let project: ConsumerProject | undefined;

beforeAll(async () => {
  project = await consumerProject();
}, 60_000);

afterAll(() => project?.remove());

const RUNTIMES = {
  deno: { command: DENO, args: ["run", "--allow-read"], version: /^deno 2\./ },
  bun: { command: BUN, args: [], version: /^bun 1\./ },
} as const;

function run<T>(runtime: keyof typeof RUNTIMES, options: object, env?: Record<string, string>, extra: string[] = []): Promise<T> {
  const { command, args } = RUNTIMES[runtime];
  return runConsumer<T>(project!, command, [...args, ...extra, "threads-consumer.mjs", JSON.stringify(options)], env);
}

describe.each(["deno", "bun"] as const)("%s with init({ threads: 2 })", (runtime) => {
  it("runs on 2 threads, predicts what Node predicts on one thread, bit for bit, and exits by itself after dispose()", async () => {
    const started = Date.now();
    const threaded = await run<Run>(runtime, { initOptions: { threads: 2 } });
    expect(Date.now() - started, "the process ended well before the 30 s timeout").toBeLessThan(20_000);
    expect(threaded.runtime).toMatch(RUNTIMES[runtime].version);
    const backend = threaded.result.initReturned.backend;
    for (const caps of [threaded.result.initReturned, threaded.result.capabilities]) {
      expect(caps).toMatchObject({ threads: 2, binary: `${backend}-threads` });
      expect(caps.reason).toMatch(/runs on 2 threads \(the calling one and 1 worker\)/);
    }
    const node = await runConsumer<Run>(project!, process.execPath, ["threads-consumer.mjs",
      JSON.stringify({ initOptions: { backend, nodeRelaxedSimdFlag: true } })]);
    expect(node.result.capabilities).toMatchObject({ backend, threads: 1, binary: backend });
    expect(new Set(node.result.predictions[0]).size, "distinct outputs").toBeGreaterThan(3);
    for (const bits of threaded.result.predictions) expect(bits).toEqual(node.result.predictions[0]);
  });

  it("a worker that exits during a call: a BackendError, then one thread, and the process exits", async () => {
    // Deno reads the test hook only with the permission to.
    const extra = runtime === "deno" ? ["--allow-env=SIMDCNN_TEST_WORKER_FAIL"] : [];
    const r = await run<Death>(runtime, { initOptions: { backend: "simd", threads: 2 }, death: true },
      { SIMDCNN_TEST_WORKER_FAIL: "exit-in-call" }, extra);
    expect(r.initReturned.threads).toBe(2);
    expect(r.error).toMatchObject({ name: "BackendError", message: expect.stringMatching(/worker thread ended during a kernel call/) });
    expect(r.after).toMatchObject({ threads: 1, binary: "simd-threads" });
    expect(r.next).toHaveLength(3);
    for (const v of r.next) expect(Number.isFinite(v)).toBe(true);
  });
});
