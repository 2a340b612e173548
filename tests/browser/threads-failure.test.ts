// The browser pool's failures, in Chromium on a cross-origin-isolated page
// (the threads fixture): a worker terminated from outside during a call on
// the page's main thread, which spins and so cannot run any event handler
// until the call returns, must end that call with a BackendError (the
// pool's watcher sees the worker's Web Lock freed and marks it DEAD in the
// control block); Web Workers that never answer their start must not hang
// init(): after the start deadline it runs on one thread and says why.
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ramp } from "../api/models.js";
import { launchChromium } from "../support/chromium.js";
import { serveStatic, type StaticServer } from "./static-server.js";
import { BATCH, INPUT_SHAPE } from "./threads-scenario.js";
import type { TerminateResult } from "./threads-failure-scenario.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const HERE = fileURLToPath(new URL("./", import.meta.url));
const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

let server: StaticServer | null = null;
let browser: Browser | null = null;

beforeAll(async () => {
  server = await serveStatic({ "/dist/": DIST, "/tests/browser/": HERE }, { headers: ISOLATION });
  browser = await launchChromium();
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

/** Runs `scenario` of threads-failure-scenario.js on a fresh fixture page; page errors fail the test. */
async function inPage<T>(scenario: "terminateWorker" | "neverAnswers", input: unknown = {}): Promise<T> {
  const context = await browser!.newContext();
  const problems: string[] = [];
  try {
    const page: Page = await context.newPage();
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${server!.origin}/tests/browser/threads-fixture.html`);
    // A string, not a function: vitest would rewrite a function's import().
    const result = await page.evaluate(`(async () => {
      const lib = await import("/dist/browser.js");
      const scenarios = await import("/tests/browser/threads-failure-scenario.js");
      return scenarios[${JSON.stringify(scenario)}](lib, ${JSON.stringify(input)});
    })()`);
    expect(problems, "errors reported by the page").toEqual([]);
    return result as T;
  } finally {
    await context.close();
  }
}

describe("the browser pool's failures", () => {
  const x = Array.from(ramp(BATCH * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2], 5));

  function expectOneThreadAfter(r: TerminateResult): void {
    expect(r.initReturned).toMatchObject({ threads: 2, binary: "simd-threads" });
    expect(r.threadsMade, "the pool's worker and its watcher").toBe(2);
    // Chromium's forced end comes ~2 s after terminate().
    expect(r.ms).toBeLessThan(6_000);
    expect(r.after).toMatchObject({ threads: 1, binary: "simd-threads" });
    expect(r.after.reason).toMatch(/ran on 2 threads until a worker ended .*runs on one thread now/);
    expect(r.next).toHaveLength(3);
    for (const v of r.next) expect(Number.isFinite(v)).toBe(true);
  }

  it("a worker terminated while the page cannot hear of it: the next call on the spinning main thread throws a BackendError", async () => {
    const r = await inPage<TerminateResult>("terminateWorker", { x, deaf: true });
    expect(r.error, `${r.calls} predicts went through`).toMatchObject({
      name: "BackendError", message: expect.stringMatching(/a worker thread ended during a kernel call/),
    });
    expectOneThreadAfter(r);
  });

  it("a worker terminated while the page's event loop runs: the page hears of it and runs on one thread", async () => {
    const r = await inPage<TerminateResult>("terminateWorker", { x, deaf: false });
    // A predict that starts between the end and the page hearing of it throws too; one after it must not.
    if (r.error !== null) expect(r.error.name).toBe("BackendError");
    expectOneThreadAfter(r);
    expect(r.after.reason).toMatch(/terminated, or it crashed|ended during a call/);
  });

  it("Web Workers that never answer their start: init() resolves after the 10 s deadline, on one thread, saying why", async () => {
    const r = await inPage<{ initReturned: { threads: number; binary: string; reason: string }; ms: number }>("neverAnswers");
    expect(r.initReturned).toMatchObject({ threads: 1, binary: "simd-inference" });
    expect(r.initReturned.reason).toMatch(/one thread, not 2: a worker thread failed to start: the workers were not ready within 10 s/);
    expect(r.ms).toBeGreaterThanOrEqual(10_000);
    expect(r.ms).toBeLessThan(15_000);
  }, 30_000);
});
