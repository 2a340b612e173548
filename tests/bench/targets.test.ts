import { describe, expect, it } from "vitest";
// @ts-expect-error: plain-JS bench module without types
import { evaluateTargets } from "../../bench/lib/targets.mjs";

type Result = { status: string; check?: { ok: boolean }; ms: number; minMs: number };
type Row = {
  target: string; workload: string; unit: string; goal: number; binary: string | null;
  fastest: number | null; median: number | null; met: boolean | null;
};

const ok = (ms: number, minMs: number): Result => ({ status: "ok", check: { ok: true }, ms, minMs });

/** 512^3 GEMM: 2*512^3 flops, so 1 ms = 268.4 GFLOP/s; times chosen around the 38 and 48 GFLOP/s goals. */
const FLOPS_512 = 2 * 512 ** 3;
const msFor = (gflops: number) => FLOPS_512 / (gflops * 1e6);

function gemm512(results: Record<string, Result>) {
  return { id: "gemm-512", label: "GEMM 512^3", kind: "gemm", unit: "GFLOP/s", flops: FLOPS_512, results };
}

const rowsFor = (rows: Row[], target: string) => rows.filter((r) => r.target === target);

describe("bench targets", () => {
  it("reads absolute and ratio goals on fastest samples, with medians alongside", () => {
    const rows: Row[] = evaluateTargets([
      gemm512({
        relaxed: ok(msFor(40), msFor(49)), // median below 48, fastest above: met by the fastest sample
        simd: ok(msFor(30), msFor(37)), // fastest below 38: missed
        js: ok(msFor(0.6), msFor(1)),
        "tfjs-wasm": ok(msFor(20), msFor(27)),
      }),
    ]);
    const [relaxed] = rowsFor(rows, "GEMM relaxed >= 48 GFLOP/s");
    expect(relaxed).toMatchObject({ binary: "relaxed", unit: "GFLOP/s", goal: 48, met: true });
    expect(relaxed!.fastest).toBeCloseTo(49, 9);
    expect(relaxed!.median).toBeCloseTo(40, 9);
    const [simd] = rowsFor(rows, "GEMM SIMD >= 38 GFLOP/s");
    expect(simd).toMatchObject({ binary: "simd", met: false });
    expect(simd!.fastest).toBeCloseTo(37, 9);
    // Ratios are the peer's time over ours, each at its own basis: 37/27 fastest, 30/20 median.
    const [simdRatio] = rowsFor(rows, "GEMM SIMD >= 1.3x TF.js wasm");
    expect(simdRatio).toMatchObject({ unit: "x", goal: 1.3, met: true });
    expect(simdRatio!.fastest).toBeCloseTo(37 / 27, 9);
    expect(simdRatio!.median).toBeCloseTo(30 / 20, 9);
    // The plain-JS check picks the best binary: relaxed, 49x on fastest samples.
    const [js] = rowsFor(rows, ">= 30x the plain-JS backend (GEMM, conv)");
    expect(js).toMatchObject({ binary: "relaxed", met: true });
    expect(js!.fastest).toBeCloseTo(49, 9);
  });

  it("checks time goals as upper bounds and 'ahead of' as strictly faster", () => {
    const lenet = {
      id: "model-lenet5-b1", label: "LeNet-5 batch 1", kind: "model", unit: "ms", flops: 0, batch: 1,
      results: { relaxed: ok(0.03, 0.045), simd: ok(0.04, 0.05), "tfjs-wasm": ok(0.2, 0.28), ort: ok(0.2, 0.045) },
    };
    const rows: Row[] = evaluateTargets([lenet]);
    expect(rowsFor(rows, "LeNet-5 batch 1 <= 0.045 ms")[0]).toMatchObject({ binary: "relaxed", fastest: 0.045, met: true });
    const [ratio] = rowsFor(rows, "LeNet-5 batch 1 >= 6x TF.js wasm");
    expect(ratio).toMatchObject({ met: true });
    expect(ratio!.fastest).toBeCloseTo(0.28 / 0.045, 9);
    // Equal to ORT is not ahead of it.
    expect(rowsFor(rows, "LeNet-5 batch 1 ahead of ORT")[0]).toMatchObject({ fastest: 1, met: false });
  });

  it("leaves out mismatched outputs, and says 'no data' when a side is missing", () => {
    const rows: Row[] = evaluateTargets([
      gemm512({
        relaxed: { status: "ok", check: { ok: false }, ms: msFor(60), minMs: msFor(60) }, // wrong output: not counted
        simd: ok(msFor(30), msFor(39)),
        js: { status: "error", ms: NaN, minMs: NaN },
      }),
    ]);
    expect(rowsFor(rows, "GEMM relaxed >= 48 GFLOP/s")[0]).toMatchObject({ binary: null, fastest: null, met: null });
    expect(rowsFor(rows, "GEMM SIMD >= 1.3x TF.js wasm")[0]).toMatchObject({ binary: null, met: null });
    // Best binary is simd once relaxed is out; no JS result, so no ratio.
    expect(rowsFor(rows, ">= 30x the plain-JS backend (GEMM, conv)")[0]).toMatchObject({ met: null });
    expect(rowsFor(rows, "GEMM SIMD >= 38 GFLOP/s")[0]).toMatchObject({ binary: "simd", met: true });
  });

  it("checks only the workloads the run measured, and the JS ratio only on GEMM and conv rows", () => {
    const pool = {
      id: "maxpool-56x56x64", label: "MaxPool", kind: "pool", unit: "Gop/s", flops: 1e6,
      results: { relaxed: ok(0.1, 0.1), js: ok(10, 10) },
    };
    expect(evaluateTargets([pool])).toEqual([]);
    const rows: Row[] = evaluateTargets([gemm512({ relaxed: ok(1, 1) })]);
    expect(new Set(rows.map((r) => r.workload))).toEqual(new Set(["GEMM 512^3"]));
    expect(rows.some((r) => r.target.startsWith("Conv") || r.target.startsWith("LeNet"))).toBe(false);
  });
});
