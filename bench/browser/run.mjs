// `npm run bench:browser`: simdcnn and TF.js wasm, each on 1 and 2 threads,
// side by side in one cross-origin-isolated page in headless Chromium
// (scripts/chromium.mjs picks the browser; nothing is downloaded). Prints
// the table and writes bench/results/browser-threads.json; exits 1 when
// the run does not count (a contestant not running what it is named for,
// outputs that disagree).
//
//   node bench/browser/run.mjs [--rounds=3] [--budget=600] [--samples=5] [--quick]

import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../../scripts/chromium.mjs";
import { formatReport, problems } from "./report.mjs";
import { runBenchPage, serveBenchPage } from "./serve.mjs";

function options(argv) {
  const arg = (name, fallback) => {
    const hit = argv.find((a) => a.startsWith(`--${name}=`));
    const value = hit === undefined ? fallback : Number(hit.slice(name.length + 3));
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, got ${hit}`);
    return value;
  };
  const quick = argv.includes("--quick");
  return { rounds: arg("rounds", quick ? 1 : 3), budgetMs: arg("budget", quick ? 150 : 600), minSamples: arg("samples", quick ? 3 : 5) };
}

const opts = options(process.argv.slice(2));
const started = Date.now();
// Other processes' load slows both libraries' threads: said with the numbers.
const loadAtStart = loadavg()[0];
const served = await serveBenchPage();
let browser = null;
try {
  browser = await launchChromium();
  const result = await runBenchPage(browser, served.url, opts,
    (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`));
  const date = new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
  console.log(formatReport(result, { browserVersion: browser.version(), date }));
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), 1-minute load average ${loadAtStart.toFixed(1)} at the start, ` +
    `${loadavg()[0].toFixed(1)} at the end`;
  console.log(`\nMachine: ${machine}.`);
  const out = fileURLToPath(new URL("../results/", import.meta.url));
  await mkdir(out, { recursive: true });
  await writeFile(`${out}browser-threads.json`, JSON.stringify({ date, browser: browser.version(), machine, ...result }, null, 2));
  console.error(`\n${((Date.now() - started) / 1000).toFixed(0)} s; written to bench/results/browser-threads.json`);
  if (problems(result).length > 0) process.exitCode = 1;
} finally {
  await browser?.close();
  await served.close();
}
