// The browser bench's result (page.mjs) as the terminal shows it: what
// each contestant really ran, a table in the Node bench's style
// (bench/lib/table.mjs) and the problems that make a run not count.

import { fmt, formatTable, ratio } from "../lib/table.mjs";
import { rowMetric } from "../lib/threads-rows.mjs";
import { TFJS_THREADED_BINARY } from "./contestants.mjs";

/**
 * Why a contestant's numbers may not be shown under its name, or "" when
 * it ran what it is named for: simdcnn-n with n threads (and a threaded
 * binary when n > 1), tfjs-n with n threads of TF.js' threaded binary.
 */
export function mislabel(id, info) {
  const asked = Number(id.split("-")[1]);
  if (info.threads !== asked) return `${id}: runs ${info.threads} thread(s), not ${asked}`;
  if (id.startsWith("simdcnn")) {
    return asked > 1 && !String(info.binary).endsWith("-threads") ? `${id}: binary '${info.binary}' is not a threaded one` : "";
  }
  if (!info.multithreadSupport) return `${id}: TF.js says WASM_HAS_MULTITHREAD_SUPPORT is false`;
  if (info.binaries.length !== 1 || info.binaries[0] !== TFJS_THREADED_BINARY) {
    return `${id}: loaded ${info.binaries.join(", ") || "no binary"}, not ${TFJS_THREADED_BINARY} alone`;
  }
  return "";
}

/** Every reason the run does not count: a contestant not running what it is named for, a row whose outputs disagree. */
export function problems(result) {
  const found = Object.entries(result.contestants).map(([id, info]) => mislabel(id, info)).filter((p) => p !== "");
  if (!result.page.crossOriginIsolated) found.push("the page is not cross-origin isolated");
  for (const row of result.rows) {
    for (const [id, c] of Object.entries(row.checks)) {
      if (!c.ok) found.push(`${row.label}: ${id}'s output differs from simdcnn-1's (max error ${fmt(c.maxErr)}, relative ${fmt(c.relErr)}); row not timed`);
    }
  }
  return found;
}

/** The fastest sample and the median of medians over the rounds, in ms per call. */
function timing(samples) {
  if (samples.length === 0) return null;
  const medians = samples.map((s) => s.ms).sort((a, b) => a - b);
  return { minMs: Math.min(...samples.map((s) => s.minMs)), ms: medians[medians.length >> 1] };
}

/** The result as text: contestants, the table (fastest samples), and notes. */
export function formatReport(result, { browserVersion, date }) {
  const ids = Object.keys(result.contestants);
  const shown = Object.fromEntries(ids.map((id) => [id, mislabel(id, result.contestants[id]) === ""]));
  const lines = [];
  lines.push(`## Browser threads: simdcnn and TF.js wasm on 1 and 2 threads (${date})`);
  lines.push("");
  lines.push(`Chromium ${browserVersion} headless, page crossOriginIsolated ${result.page.crossOriginIsolated}, ` +
    `navigator.hardwareConcurrency ${result.page.hardwareConcurrency}; everything on the page's main thread. ` +
    `Fastest sample of ${result.rounds} round(s) (>= ${result.minSamples} samples and ${result.budgetMs} ms per row and round).`);
  for (const id of ids) {
    const c = result.contestants[id];
    const ran = id.startsWith("simdcnn")
      ? `init({ threads: ${id.split("-")[1]} }) -> binary ${c.binary}, threads ${c.threads}`
      : `setThreadsCount(${id.split("-")[1]}) -> loaded ${c.binaries.join(", ")}, WASM_HAS_MULTITHREAD_SUPPORT ${c.multithreadSupport}, ` +
        `getThreadsCount() ${c.threads} (hardwareConcurrency shown to TF.js: ${c.hardwareConcurrencyShown})`;
    lines.push(`- ${id}: ${ran}`);
  }
  lines.push("");
  const rows = result.rows.map((row) => {
    const t = Object.fromEntries(ids.map((id) => [id, shown[id] ? timing(row.times[id]) : null]));
    const value = (id) => (t[id] ? fmt(rowMetric(row, t[id].minMs)) : "-");
    const speed = (a, b, key = "minMs") => (t[a] && t[b] ? t[a][key] / t[b][key] : NaN);
    const efficiency = (a, b) => (Number.isFinite(speed(a, b)) ? `${Math.round((speed(a, b) / 2) * 100)}%` : "-");
    const tfjsErr = Math.max(...["tfjs-1", "tfjs-2"].map((id) => row.checks[id]?.relErr ?? NaN));
    return [
      row.label, row.unit,
      value("simdcnn-1"), value("simdcnn-2"), ratio(speed("simdcnn-1", "simdcnn-2")), efficiency("simdcnn-1", "simdcnn-2"),
      value("tfjs-1"), value("tfjs-2"), ratio(speed("tfjs-1", "tfjs-2")), efficiency("tfjs-1", "tfjs-2"),
      ratio(speed("tfjs-2", "simdcnn-2")), ratio(speed("tfjs-2", "simdcnn-2", "ms")),
      row.agree ? `yes (${fmt(tfjsErr)})` : "NO", row.checks["simdcnn-2"]?.identical ? "yes" : "NO",
    ];
  });
  lines.push(formatTable(
    ["row", "unit", "simdcnn 1", "simdcnn 2", "speed-up", "efficiency", "TF.js 1", "TF.js 2", "speed-up", "efficiency",
      "simdcnn 2 vs TF.js 2", "(medians)", "outputs agree (TF.js rel. err)", "simdcnn 2 = 1 bit for bit"],
    rows, (i) => i > 1 && i < 12,
  ));
  lines.push("");
  lines.push("Speed-up: a contestant's 2 threads over its own 1 thread; efficiency: the speed-up over 2. " +
    "\"simdcnn 2 vs TF.js 2\": TF.js' time over simdcnn's, both on 2 threads (fastest samples; then medians). " +
    "TF.js 1 is its threaded binary on one thread.");
  const found = problems(result);
  if (found.length > 0) {
    lines.push("");
    lines.push("THIS RUN DOES NOT COUNT:");
    for (const p of found) lines.push(`- ${p}`);
  }
  return lines.join("\n");
}
