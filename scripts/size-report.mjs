// `npm run size`: where the bytes of a browser user's download come from.
// Bundles the browser entry with the browser config of rollup.config.mjs
// (from build/js, so run `npm run build:ts` first; `npm run build` does),
// minifies every chunk as tests/budget/size.test.ts does (terser: module,
// compress, mangle) and gzips it at level 9, then prints:
//   - per chunk: loaded on first load (the entry and what it imports
//     statically) or lazily (behind an `import()`), minified + gzipped bytes;
//   - per source module: its minified bytes alone and its share of its
//     chunk's minified + gzipped bytes;
//   - the wasm binaries gzipped, and the total a browser downloads first:
//     the first-load chunks plus simd-inference.wasm (a page's binary; the
//     training half and the Trainer's chunk follow on a model's compile).
// A module's gzip share is an estimate: each module is minified alone (top
// level kept, so nothing is dropped as unused) and gzipped alone, and the
// chunk's real minified + gzipped size is split in proportion to those.
// Gzip finds repeats across modules, so the sum of the standalone sizes is
// larger than the chunk; the shares add up to the chunk exactly.
//
//   node scripts/size-report.mjs [--all] [--json]
//     --all   every module, not the top 15 per chunk
//     --json  machine-readable output instead of tables
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { rollup } from "rollup";
import { minify } from "terser";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const TOP = 15;

/** Minified as the size budget counts it (a user's bundler minifies; dist/ stays readable). */
export async function minified(code) {
  return (await minify(code, { module: true, compress: true, mangle: true })).code ?? "";
}

export const gzipped = (code) => gzipSync(code, { level: 9 }).length;

/**
 * Minified and gzipped alone. Nothing is dropped as unused (`unused: false`):
 * a module's top-level declarations are used by the other modules.
 */
async function moduleAlone(code) {
  const out = (await minify(code, { module: true, compress: { unused: false }, mangle: true })).code ?? "";
  return { min: out.length, gz: out.length === 0 ? 0 : gzipped(out) };
}

async function browserBundle() {
  const { default: configs } = await import(new URL("rollup.config.mjs", `file://${ROOT}`).href);
  const config = configs.find((c) => /index\.browser\.js$/.test(String(c.input)));
  if (!config) throw new Error("rollup.config.mjs has no build of build/js/src/index.browser.js");
  const bundle = await rollup({ ...config, onwarn: () => {} });
  const output = Array.isArray(config.output) ? config.output[0] : config.output;
  const { output: files } = await bundle.generate(output);
  await bundle.close();
  return files.filter((f) => f.type === "chunk");
}

/** The chunks loaded with the entry: the entry and, transitively, its static imports. */
function firstLoad(chunks) {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of byName.get(name)?.imports ?? []) visit(dep);
  };
  for (const c of chunks) if (c.isEntry) visit(c.fileName);
  return seen;
}

export async function report() {
  const chunks = await browserBundle();
  const eager = firstLoad(chunks);
  const rows = [];
  for (const chunk of chunks) {
    const min = await minified(chunk.code);
    const gz = gzipped(min);
    const modules = [];
    for (const [id, m] of Object.entries(chunk.modules)) {
      if (!m.code) continue;
      modules.push({ module: relative(`${ROOT}build/js`, id), rendered: m.renderedLength, ...(await moduleAlone(m.code)) });
    }
    const sumGz = modules.reduce((s, m) => s + m.gz, 0) || 1;
    for (const m of modules) m.share = Math.round((m.gz / sumGz) * gz);
    modules.sort((a, b) => b.share - a.share);
    rows.push({ chunk: chunk.fileName, load: eager.has(chunk.fileName) ? "first" : "lazy", bytes: chunk.code.length, min: min.length, gz, modules });
  }
  rows.sort((a, b) => (a.load === b.load ? b.gz - a.gz : a.load === "first" ? -1 : 1));
  const wasm = ["scalar", "simd", "relaxed-simd", "simd-inference", "simd-training", "relaxed-simd-inference",
    "relaxed-simd-training"].map((v) => {
    const bytes = readFileSync(`${ROOT}dist/wasm/${v}.wasm`);
    return { file: `dist/wasm/${v}.wasm`, bytes: bytes.length, gz: gzipped(bytes) };
  });
  const firstJs = rows.filter((r) => r.load === "first").reduce((s, r) => s + r.gz, 0);
  const lazyJs = rows.filter((r) => r.load === "lazy").reduce((s, r) => s + r.gz, 0);
  const simd = wasm.find((w) => w.file.endsWith("/simd-inference.wasm")).gz;
  const training = wasm.find((w) => w.file.endsWith("/simd-training.wasm")).gz;
  const trainer = rows.find((r) => /\/trainer-[\w-]{8}\.js$/.test(r.chunk))?.gz ?? 0;
  return {
    chunks: rows, wasm,
    totals: { firstLoadJs: firstJs, simdWasm: simd, firstLoad: firstJs + simd, lazyJs, training: training + trainer },
  };
}

function table(header, body) {
  const all = [header, ...body].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

async function main() {
  const all = process.argv.includes("--all");
  const r = await report();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(r, null, 2));
    return;
  }
  for (const c of r.chunks) {
    console.log(`\n${c.chunk} (${c.load} load): ${c.bytes} bytes, ${c.min} minified, ${c.gz} minified + gzipped`);
    const shown = all ? c.modules : c.modules.slice(0, TOP);
    const body = shown.map((m) => [m.module, m.rendered, m.min, m.share, `${((100 * m.share) / c.gz).toFixed(1)}%`]);
    const rest = c.modules.slice(shown.length);
    if (rest.length) {
      body.push([`(${rest.length} more)`, rest.reduce((s, m) => s + m.rendered, 0), rest.reduce((s, m) => s + m.min, 0),
        rest.reduce((s, m) => s + m.share, 0), ""]);
    }
    console.log(table(["module", "rendered", "min alone", "min+gz share", "of chunk"], body));
  }
  console.log(`\n${table(["wasm binary", "bytes", "gzip -9"], r.wasm.map((w) => [w.file, w.bytes, w.gz]))}`);
  const t = r.totals;
  console.log(`\n${table(["browser download", "bytes"], [
    ["first-load JS (minified + gzipped)", t.firstLoadJs],
    ["simd-inference.wasm (gzipped)", t.simdWasm],
    ["first load total", t.firstLoad],
    ["+ on compile: simd-training.wasm and the Trainer's chunk", t.training],
    ["lazy JS chunks (minified + gzipped)", t.lazyJs],
  ])}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
