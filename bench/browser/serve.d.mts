// Types for bench/browser/serve.mjs and the result of the page it runs
// (page.mjs), which the Chromium test imports.
import type { Browser } from "playwright-core";

export interface BenchOptions {
  /** Timing rounds after the check pass (3 unless told; 0 checks only). */
  rounds?: number;
  /** Time per row, contestant and round, in ms. */
  budgetMs?: number;
  /** Samples per row, contestant and round, at the least. */
  minSamples?: number;
}

/** What simdcnn's capabilities() said after init({ threads }). */
export interface SimdcnnStart {
  backend: string;
  binary: string | null;
  threads: number;
  reason: string;
}

/** What TF.js said after setThreadsCount and setBackend("wasm"), and the binaries the page fetched. */
export interface TfjsStart {
  backend: "wasm";
  hardwareConcurrencyShown: number;
  binaries: string[];
  multithreadSupport: boolean;
  simdSupport: boolean;
  threads: number;
}

/** A contestant's output against simdcnn's on one thread. */
export interface OutputCheck {
  ok: boolean;
  maxErr: number;
  relErr: number;
  identical: boolean;
}

/** One round's timing of a row, per call (a sample may hold `calls` calls). */
export interface RowTiming {
  minMs: number;
  ms: number;
  samples: number;
  calls: number;
}

export interface BenchRow {
  id: string;
  label: string;
  unit: "GFLOP/s" | "img/s" | "ms";
  per: number;
  /** Every contestant's output agreed with simdcnn-1's; a row that does not is not timed. */
  agree: boolean;
  checks: Record<"simdcnn-2" | "tfjs-1" | "tfjs-2", OutputCheck>;
  times: Record<"simdcnn-1" | "simdcnn-2" | "tfjs-1" | "tfjs-2", RowTiming[]>;
}

export interface BenchResult {
  page: { userAgent: string; crossOriginIsolated: boolean; hardwareConcurrency: number };
  contestants: { "simdcnn-1": SimdcnnStart; "simdcnn-2": SimdcnnStart; "tfjs-1": TfjsStart; "tfjs-2": TfjsStart };
  rounds: number;
  budgetMs: number;
  minSamples: number;
  rows: BenchRow[];
}

/** Bundles the page into a temporary folder and serves it, dist/ and TF.js' binaries with COOP / COEP. */
export function serveBenchPage(): Promise<{ url: string; close(): Promise<void> }>;

/** Runs the bench in a new context of `browser`; throws with whatever the page reported when it fails. */
export function runBenchPage(browser: Browser, url: string, options: BenchOptions, onLog?: (line: string) => void): Promise<BenchResult>;
