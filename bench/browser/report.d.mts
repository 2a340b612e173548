// Types for bench/browser/report.mjs.
import type { BenchResult, SimdcnnStart, TfjsStart } from "./serve.mjs";

export function mislabel(id: string, info: SimdcnnStart | TfjsStart): string;
export function problems(result: BenchResult): string[];
export function formatReport(result: BenchResult, about: { browserVersion: string; date: string }): string;
