// The browser bench's report (bench/browser/report.mjs) shows a
// contestant's numbers only under the name of what it really ran: TF.js'
// single-thread binary, or a pool that started fewer threads than asked,
// never fills the "2 threads" column, and a run with such a contestant or
// with outputs that disagree is flagged as not counting.
import { describe, expect, it } from "vitest";
import { formatReport, mislabel, problems } from "../../bench/browser/report.mjs";
import type { BenchResult, TfjsStart } from "../../bench/browser/serve.mjs";

const THREADED = "tfjs-backend-wasm-threaded-simd.wasm";
const tfjs = (threads: number, over: Partial<TfjsStart> = {}): TfjsStart =>
  ({ backend: "wasm", hardwareConcurrencyShown: 2 * threads, binaries: [THREADED], multithreadSupport: true, simdSupport: true, threads, ...over });
const timing = (minMs: number) => [{ minMs, ms: minMs * 1.1, samples: 5, calls: 1 }];
const check = { ok: true, maxErr: 1e-7, relErr: 1e-6, identical: false };

/** A result of one ms row: simdcnn 10 / 6 ms, TF.js 20 / 12.5 ms on 1 / 2 threads. */
function result(): BenchResult {
  return {
    page: { userAgent: "test", crossOriginIsolated: true, hardwareConcurrency: 2 },
    contestants: {
      "simdcnn-1": { backend: "relaxed-simd", binary: "relaxed-simd", threads: 1, reason: "" },
      "simdcnn-2": { backend: "relaxed-simd", binary: "relaxed-simd-threads", threads: 2, reason: "" },
      "tfjs-1": tfjs(1),
      "tfjs-2": tfjs(2),
    },
    rounds: 1, budgetMs: 0, minSamples: 5,
    rows: [{
      id: "m", label: "model row", unit: "ms", per: 1, agree: true,
      checks: { "simdcnn-2": { ...check, maxErr: 0, relErr: 0, identical: true }, "tfjs-1": check, "tfjs-2": check },
      times: { "simdcnn-1": timing(10), "simdcnn-2": timing(6), "tfjs-1": timing(20), "tfjs-2": timing(12.5) },
    }],
  };
}

/** The table row of `label`, as cells. */
function cells(text: string, label: string): string[] {
  const line = text.split("\n").find((l) => l.startsWith(`| ${label}`));
  if (line === undefined) throw new Error(`no row '${label}' in:\n${text}`);
  return line.split("|").slice(1, -1).map((c) => c.trim());
}

const about = { browserVersion: "test", date: "today" };

describe("the browser bench report", () => {
  it("shows both libraries' speed-ups, efficiencies and the 2-thread ratio when each ran what it is named for", () => {
    const r = result();
    expect(problems(r)).toEqual([]);
    const row = cells(formatReport(r, about), "model row");
    expect(row.slice(2, 12)).toEqual(["10.0", "6.00", "1.67x", "83%", "20.0", "12.5", "1.60x", "80%", "2.08x", "2.08x"]);
    expect(formatReport(r, about)).not.toContain("DOES NOT COUNT");
  });

  it.each([
    ["the single-thread SIMD binary", { binaries: ["tfjs-backend-wasm-simd.wasm"], multithreadSupport: false, threads: 1 }],
    ["the threaded binary on 1 thread", { threads: 1 }],
    ["no thread support", { multithreadSupport: false }],
  ])("never puts TF.js on %s under '2 threads'", (_what, over) => {
    const r = result();
    r.contestants["tfjs-2"] = tfjs(2, over);
    expect(mislabel("tfjs-2", r.contestants["tfjs-2"])).not.toBe("");
    const text = formatReport(r, about);
    const row = cells(text, "model row");
    expect(row[7], "TF.js 2").toBe("-");
    expect(row[8], "its speed-up").toBe("-");
    expect(row[10], "simdcnn 2 vs TF.js 2").toBe("-");
    expect(row[6], "TF.js 1 still shown").toBe("20.0");
    expect(text).toContain("THIS RUN DOES NOT COUNT");
  });

  it("never puts simdcnn on one thread or on a single-thread binary under '2 threads'", () => {
    for (const over of [{ threads: 1 }, { binary: "relaxed-simd" }]) {
      const r = result();
      r.contestants["simdcnn-2"] = { ...r.contestants["simdcnn-2"], ...over };
      expect(cells(formatReport(r, about), "model row")[3]).toBe("-");
      expect(problems(r)).toHaveLength(1);
    }
  });

  it("flags a row whose outputs disagree, and a page that is not cross-origin isolated", () => {
    const r = result();
    r.rows[0]!.checks["tfjs-1"] = { ...check, ok: false, maxErr: 0.5, relErr: 0.5 };
    r.rows[0]!.agree = false;
    r.page.crossOriginIsolated = false;
    expect(problems(r)).toEqual([
      "the page is not cross-origin isolated",
      expect.stringMatching(/^model row: tfjs-1's output differs from simdcnn-1's/),
    ]);
    expect(cells(formatReport(r, about), "model row")[12]).toBe("NO");
  });
});
