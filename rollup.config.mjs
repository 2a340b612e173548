// Bundles what `tsc -p tsconfig.build.json` emitted into build/js (without
// comments; tsconfig.types.json writes the .d.ts, with their TSDoc, into
// dist/types). Rollup sees only JavaScript, so no rollup
// TypeScript plugin is involved (see tsconfig.json for why).
// Each entry is bundled on its own. The browser and Node ESM entries are
// split: what init(), loadModel / save and a failed wasm fetch import only
// when asked for (the plain-JS backend, the model-file code, the hints) goes
// to dist/chunks/, so a page downloads it only if it uses it. The CJS and
// edge entries stand alone (dynamic imports inlined: one file is simplest
// for require() and for workerd's and Vercel's bundlers). See
// docs/architecture.md, "The package".
import { readdirSync, rmSync } from "node:fs";

const from = (entry) => `build/js/src/${entry}.js`;
// pngjs and jpeg-js: loadImage's decoders on Node, optional peer dependencies imported on use.
const external = [/^node:/, "pngjs", "jpeg-js"];

/**
 * The edge entries import ./wasm/<variant>.wasm (workerd) or
 * ./wasm/<variant>.wasm?module (edge-light) for the runtime's bundler to
 * turn into a WebAssembly.Module. The import must stay exactly as written:
 * it is relative to dist/<entry>.js, where dist/wasm/ sits.
 */
const keepWasmImports = {
  name: "keep-wasm-imports",
  resolveId(source) {
    return /\.wasm(\?module)?$/.test(source) ? { id: source, external: "absolute" } : null;
  },
};

/**
 * Chunk names carry a content hash: clear out the last build's, or stale
 * ones would ship. Once per run, before the first build writes (the Node
 * and browser builds both write to dist/chunks/), and only when writing
 * (scripts/size-report.mjs generates the browser build in memory).
 */
let chunksCleaned = false;
const cleanChunks = {
  name: "clean-chunks",
  generateBundle(_options, _bundle, isWrite) {
    if (!isWrite || chunksCleaned) return;
    chunksCleaned = true;
    rmSync("dist/chunks", { recursive: true, force: true });
    for (const file of readdirSync("dist", { withFileTypes: true })) {
      if (file.isFile() && /^browser-threads-.*\.js$/.test(file.name)) rmSync(`dist/${file.name}`);
    }
  },
};

/**
 * The browser's threads chunk sits beside the entry, not in dist/chunks/:
 * its `new URL("./wasm/…", import.meta.url)` must resolve the same from
 * dist/ and from wherever a bundler that leaves such URLs as written
 * (esbuild, Rollup) puts its code, beside the app's other chunks, where
 * the one `cp -r …/dist/wasm <outdir>/` step already put wasm/.
 */
const browserChunkFileNames = (chunk) => chunk.name === "browser-threads" ? "[name]-[hash].js" : "chunks/[name]-[hash].js";

export default [
  {
    input: from("index.node"),
    external,
    // ESM: chunked like the browser build (the same three chunks, importing
    // from ../index.js), so the entry Node loads first stays small too. CJS
    // inlines them: require() has no lazy form worth the extra files.
    preserveEntrySignatures: "allow-extension",
    plugins: [cleanChunks],
    output: [
      { dir: "dist", format: "es", entryFileNames: "index.js", chunkFileNames: "chunks/[name]-[hash].js" },
      { file: "dist/index.cjs", format: "cjs", exports: "named", inlineDynamicImports: true },
    ],
  },
  {
    input: from("index.browser"),
    external,
    // The lazy chunks import what they share with the entry from
    // dist/browser.js, which rollup may then export under extra short names
    // (not in the types). "strict" would instead move the whole entry into
    // a chunk behind a re-exporting facade: a second request on every page.
    preserveEntrySignatures: "allow-extension",
    plugins: [cleanChunks],
    output: {
      dir: "dist", format: "es", entryFileNames: "browser.js", chunkFileNames: browserChunkFileNames,
    },
  },
  {
    // The script each Node pool worker runs (src/threads/): loaded by
    // new Worker(<dist>/threads-worker.js), never imported by the entries.
    input: from("threads/worker-node"),
    external,
    output: { file: "dist/threads-worker.js", format: "es", inlineDynamicImports: true },
  },
  {
    // The script each browser pool thread runs: new Worker(new URL(
    // "./wasm/threads-worker-browser.js", import.meta.url), { type: "module" })
    // in the browser build's threads chunk. In wasm/, with the threaded
    // binaries it runs, so copying that folder brings it along.
    input: from("threads/worker-browser"),
    output: { file: "dist/wasm/threads-worker-browser.js", format: "es" },
  },
  {
    input: from("index.workerd"),
    external,
    plugins: [keepWasmImports],
    output: { file: "dist/workerd.js", format: "es", inlineDynamicImports: true },
  },
  {
    input: from("index.edge-light"),
    external,
    plugins: [keepWasmImports],
    output: { file: "dist/edge-light.js", format: "es", inlineDynamicImports: true },
  },
];
