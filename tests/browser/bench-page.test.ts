// The browser bench page (`npm run bench:browser`, bench/browser/) run
// briefly in Chromium (tests/support/chromium.ts): one round, one sample a
// row. It checks what the bench's numbers rest on, never the numbers: the
// page is cross-origin isolated, every contestant timed every row, simdcnn
// ran 2 threads on its threaded binary, TF.js ran 2 threads on its threaded
// binary (by its own word and by the file the page fetched), and every
// output agreed with simdcnn's on one thread before anything was timed.
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { contestantIds, PAGE_ROWS, TFJS_THREADED_BINARY } from "../../bench/browser/contestants.mjs";
import { problems } from "../../bench/browser/report.mjs";
import { runBenchPage, serveBenchPage, type BenchResult } from "../../bench/browser/serve.mjs";
import { launchChromium } from "../support/chromium.js";

const OPTIONS = { rounds: 1, budgetMs: 0, minSamples: 1 };
/** The page's progress, shown when a test fails. */
const progress: string[] = [];

let browser: Browser | null = null;
let server: { url: string; close(): Promise<void> } | null = null;
let run: Promise<BenchResult> | null = null;

/** The page's result, run once for every test: each fails with the run's error if it failed. */
function result(): Promise<BenchResult> {
  run ??= (async () => {
    server = await serveBenchPage();
    browser = await launchChromium();
    return runBenchPage(browser, server.url, OPTIONS, (line) => progress.push(line));
  })();
  return run;
}

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

describe("the browser bench page (simdcnn and TF.js wasm on 1 and 2 threads)", { timeout: 180_000 }, () => {
  it("runs cross-origin isolated, and every contestant timed every row", async () => {
    const r = await result();
    expect(r.page.crossOriginIsolated).toBe(true);
    expect(Object.keys(r.contestants)).toEqual([...contestantIds]);
    expect(r.rows.map((row) => row.id)).toEqual([...PAGE_ROWS]);
    for (const row of r.rows) {
      for (const id of contestantIds) {
        const times = row.times[id];
        expect(times, `${row.id} ${id} (page: ${progress.join("; ")})`).toHaveLength(OPTIONS.rounds);
        expect(times[0]!.samples).toBeGreaterThanOrEqual(OPTIONS.minSamples);
        expect(times[0]!.minMs, `${row.id} ${id}`).toBeGreaterThan(0);
        expect(times[0]!.ms).toBeGreaterThanOrEqual(times[0]!.minMs);
      }
    }
  });

  it("simdcnn ran init({ threads: 2 }) on 2 threads of its threaded binary, and init({ threads: 1 }) on one", async () => {
    const { contestants } = await result();
    expect(contestants["simdcnn-2"]).toMatchObject({ threads: 2, binary: expect.stringMatching(/-threads$/) });
    expect(contestants["simdcnn-1"].threads).toBe(1);
  });

  it("TF.js ran its threaded binary, on 2 threads for setThreadsCount(2) and on 1 for setThreadsCount(1)", async () => {
    const { contestants } = await result();
    for (const [id, threads] of [["tfjs-2", 2], ["tfjs-1", 1]] as const) {
      expect(contestants[id], id).toMatchObject({ multithreadSupport: true, binaries: [TFJS_THREADED_BINARY], threads });
    }
  });

  it("every output agreed with simdcnn's on one thread before timing, simdcnn's 2 threads bit for bit", async () => {
    const r = await result();
    for (const row of r.rows) {
      expect(row.agree, row.id).toBe(true);
      for (const [id, check] of Object.entries(row.checks)) expect(check.ok, `${row.id} ${id}: ${JSON.stringify(check)}`).toBe(true);
      expect(row.checks["simdcnn-2"].identical, row.id).toBe(true);
    }
    expect(problems(r)).toEqual([]);
  });
});
