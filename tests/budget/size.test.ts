// A size budget for what we ship (tinygrad keeps a line budget in CI): the
// wasm binaries and the bundles must stay small enough for edge functions and
// pages. Raising a budget is allowed, but it is a visible, reviewed change.
// `npm run size` (scripts/size-report.mjs) says which modules the bytes
// come from.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { minify } from "terser";
import { describe, expect, it } from "vitest";
import { chunkGraph } from "../support/chunks.js";

const KiB = 1024;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Gzipped bytes allowed per shipped binary. */
const WASM_BUDGET: Record<string, number> = {
  // Lowered from 20 / 24 / 24 KiB when the f64 Math tables left (see
  // assembly/common/f64math.ts): 5.8 / 14.1 / 14.0 KiB then.
  // Raised from 16 KiB for the graph engine's two kernel families, BatchNorm
  // (assembly/norm/) and element-wise ops (assembly/elementwise/), each
  // squeezed to ~0.7 KiB gzip: 15.7 -> 17.1 KiB (simd), 14.9 -> 16.3 (relaxed).
  // The depthwise kernels then took simd.wasm to 17.9 KiB; renumbering
  // functions and locals after asc (scripts/shrink-wasm.mjs) to 17.6 KiB
  // (7.5 / 17.6 / 16.9 KiB). The fused residual Add: 7.6 / 17.9 / 17.1 KiB;
  // Conv2DTranspose and swish: 7.6 / 18.04 (18,469 bytes, over) / 17.3 KiB.
  // simd.wasm also counts in the browser's first load below.
  "dist/wasm/scalar.wasm": 8 * KiB,
  // Raised to 18.5 KiB for the 3x3 depthwise sweep (assembly/conv/f32_dwconv2d_fwd.ts), which
  // brought MobileNetV2's depthwise layers to the issue's 1.5x TF.js wasm: 18,296 -> 18,766.
  // Then to 18.6 KiB for BatchNorm's statistics kernels walking channels-last tensors row by
  // row (assembly/norm/rows.ts): MobileNetV2 0.35 training, BatchNorm backward 41 -> 18 ms a
  // step of 139 -> 111 ms: 18,766 -> 19,038. Then to 18.75 KiB for the conv filter gradient's
  // pixel blocks (assembly/conv/f32_conv2d_bwd_filter.ts), 1.5-6x on layers whose x and dy
  // outgrow L2 (8x56x56x64 3x3: 336 -> 57 ms): 19,187. The threaded builds' dw-row ranges for the
  // Dense and Conv2D weight gradients (src/threads/split-backward.ts) are folded away here, but for two
  // unused locals: 19,195. Then to 19,800 bytes for the depthwise kernels' second pass: the
  // forward's two-row stride-2 sweep and relu6 clamped in registers (assembly/conv/
  // f32_dwconv2d_fwd.ts; MobileNetV2's stride-2 row to 1.5x TF.js wasm), +~180, and the filter
  // gradient's sums in registers (f32_dwconv2d_bwd_filter.ts; MobileNetV2 0.35 training's 17
  // depthwise layers 2.2x faster), +~330: 19,183 -> 19,691; relaxed-simd.wasm to 19,000 for the
  // same, 18,392 -> 18,889. Then to 19,900 / 19,100 for the packed-A tile's linear and ReLU sweep
  // as a function of its own (assembly/gemm/f32_gemm_4x8_packed_a.ts sweepFull: V8 kept the k loop's
  // address bases out of the loop only there; GEMM 512^3 on one thread of the threaded build 46 ->
  // 51.6 GFLOP/s, on 2 threads 88 -> 100): 19,839 and 19,026.
  "dist/wasm/simd.wasm": 19_900,
  "dist/wasm/relaxed-simd.wasm": 19_100,
  // The browser's split build (assembly/inference.ts, training.ts): a page
  // fetches the inference half at init() and the training half on a model's
  // first compile. The inference half keeps Conv2D's input gradient (it is
  // Conv2DTranspose's forward pass, 1.1 KiB of it); the training half has
  // the rest of the backward passes, the losses and the optimizers, and its
  // scratch is per instance, as in the threaded builds. Together 13,127 +
  // 7,061 = 20,188 bytes against the whole simd.wasm's 19,183: the halves
  // share the GEMM micro-kernels the backward passes reuse. The depthwise kernels' second pass
  // (see simd.wasm): the forward in the inference halves, 13,127 -> 13,323 and 12,370 ->
  // 12,540; the filter gradient in the training halves, 7,061 -> 7,421 and 7,058 -> 7,419.
  // The packed-A sweep out of line (see simd.wasm): 13,464 and 12,688.
  "dist/wasm/simd-inference.wasm": 13_500,
  "dist/wasm/relaxed-simd-inference.wasm": 12_700,
  "dist/wasm/simd-training.wasm": 7_500,
  "dist/wasm/relaxed-simd-training.wasm": 7_500,
};

/**
 * What a page downloads before its first prediction, in bytes: the browser
 * entry with every chunk it imports statically (today dist/browser.js
 * alone), minified with terser and gzipped at level 9 each, as a user's
 * bundler would ship them (dist/ itself stays readable), plus the binary
 * init() fetches, gzipped (simd.wasm until the split below; now
 * simd-inference.wasm). That is init() with the default (wasm) backend and the whole API
 * a model built in code uses; the chunks behind an `import()` (the plain-JS
 * backend, model files, the load-failure hints) are not in it and have
 * budgets of their own below. The issue asks for <= 50,000 (50 KB).
 *
 * The history, as one bundle for the whole API (gzip of the unminified
 * files until minified was counted): 41 KiB with comments before the graph
 * engine, 36.9 without them after it, 47.3 with model files (src/io/), 49.3
 * with DepthwiseConv2D and dilation; minified, that last is 37.2 KiB. 41.4
 * KiB with SeparableConv2D, the data-moving layers (ZeroPadding2D and its
 * fold, Cropping2D, UpSampling2D, GlobalMaxPool2D, Reshape) and the bundler
 * hints; 44.4 KiB with model files where they live (URLs, paths, File
 * objects, file:// saves) and the training config and optimizer state in
 * them; 48.5 KiB with fromPixels / featureMapGrid / kernelGrid (src/image/)
 * and the relu6 / elu / hardSigmoid / capped-ReLU options; 48.8 KiB
 * (50,015 bytes) with the fused residual Add, 68,302 with simd.wasm; with
 * Conv2DTranspose and swish 51,537 (over the 50 KiB it had then) + 18,469
 * = 70,006.
 *
 * Then split (docs/architecture.md, "The package"): the plain-JS backend
 * and the model-file code load on use, and so do the hints: 35,576 + 18,469
 * = 54,045 bytes. The browser's model stores (indexeddb://, downloads://)
 * load on use too, and so does the fit loop (src/train/fit-loop.ts); the
 * residual Add's chunking moved from simd.wasm to Conv2D: 35,372 + 18,296
 * = 53,668. The budgets below are that, rounded up to 100 bytes; the
 * issue's 50,000 is still ahead: the test prints the gap on every run.
 * loadImage (src/image/load-image.ts) decodes on Node only, in a chunk of
 * the Node build; a browser still gets its export, a stub that rejects
 * with a short ConfigError: 31 bytes, 35,403 + 18,296 = 53,699. The JS
 * budget was raised to the next 100 for it (a lazy chunk for the message
 * cost more: the chunk's hashed path is in the first load). Then init()
 * learned to pass over a relaxed build whose multiply-add does not fuse
 * (Bun), 7 bytes in the browser: 35,410 + 18,296 = 53,706, and the total
 * went to the next 100 too. The 3x3 depthwise sweep then took simd.wasm to
 * 18,766: 54,176, and the total to 54,300. BatchNorm's row-by-row
 * statistics (see simd.wasm's budget): 19,038 + 35,408 = 54,446, total to
 * 54,500; the conv filter gradient's pixel blocks: 19,187 + 35,408 =
 * 54,595, total to 54,600. Conv2DTranspose's BatchNorm fold and
 * outputPadding, 254 bytes of JS: 35,662 + 19,187 = 54,849; both budgets to
 * the next 100. init({ threads }) then took 145 bytes in the browser entry
 * (the option and its check, the hook the node entry fills, capabilities'
 * threads count and binary, the model count that stops an idle pool; the
 * pool itself is Node-only): 35,816 + 19,187 = 55,003, both budgets to the
 * next 100. The browser's own pool (Web Workers) is a lazy chunk: its
 * starter hook in the entry, the chunk's hashed path and the names the
 * chunk imports from the entry take ~74 bytes (the hash in the path moves
 * it by a byte or two): 35,890 + 19,187 = 55,077.
 *
 * Then the split that met the goal: training loads when a page first
 * compiles a model (src/backend/training-half.ts): the Trainer
 * (src/train/trainer.ts, its own chunk now; compile's checks stay, in
 * src/train/compile.ts) and the training half of the wasm build. compile()
 * returns a promise for it, and trainOnBatch / evaluate ask for it to be
 * awaited. First load: 34,451 + 13,127 = 47,578; a compile adds 10,019
 * (simd-training.wasm 7,061 and the trainer chunk 2,958). The depthwise
 * kernels' second pass (see simd.wasm's budget): 34,452 + 13,323 = 47,775,
 * the total to the next 100; a compile adds 7,421 + 2,958 = 10,379. The
 * packed-A sweep out of line (see simd.wasm's budget): 34,452 + 13,464 =
 * 47,916, the total to 48,000.
 */
const FIRST_LOAD_JS = 34_500;
const FIRST_LOAD = 48_000;
const FIRST_LOAD_GOAL = 50_000;
/** What a page's first compile adds: the training half gzipped and the Trainer's chunk minified + gzipped. */
const ON_COMPILE = 10_400;

/** Minified + gzipped bytes allowed per lazy chunk of the browser build, by chunk name (before the hash). */
const LAZY_BUDGET: Record<string, number> = {
  // init({ backend: "js" }) or no WebAssembly: src/backend/js*.ts. 4,336 bytes.
  js: 4_500,
  // loadModel and Model.save: src/io/ but load.ts, files.ts and the browser stores. 10,812 bytes.
  "model-files": 10_900,
  // Where model files live (src/io/files.ts), shared by model-files and browser-storage. 3,069 bytes.
  files: 3_100,
  // indexeddb:// and downloads:// (src/io/indexed-db.ts, downloads.ts). 1,550 bytes.
  "browser-storage": 1_600,
  // Model.fit's loop (src/train/fit-loop.ts). 779 bytes; 805 once the Trainer it imports became a chunk.
  "fit-loop": 810,
  // init({ threads }) in a browser: the Web Worker pool (src/platform/browser-threads.ts,
  // src/threads/ but the worker scripts). 3,629 bytes; with the training and batch-1 splits
  // (src/threads/split-backward.ts, parts.ts) 4,727; with the start deadline and the
  // watcher that sees a worker end (src/threads/protocol.ts markDead) 5,079; with BatchNorm's,
  // softmax's, dropout's and the optimizers' splits (split-norm.ts, split-elementwise.ts), the
  // input gradients at batch 1 by rows of dx (split-backward.ts) and BatchNorm's backward dx by
  // rows: 6,428; with the depthwise weight gradient by channels, 6,533; with copyRows by rows
  // (split-elementwise.ts, per-pointer strides), 6,606.
  "browser-threads": 6_650,
  // A wasm binary that cannot be fetched: src/platform/hints.ts. 887 bytes.
  hints: 900,
  // The Trainer (src/train/trainer.ts), imported on a model's first compile with the training half. 2,958 bytes.
  trainer: 3_000,
};

/**
 * The server entries, minified + gzipped bytes allowed for what loads with
 * them (the whole API). The edge bundles stand alone (dynamic imports
 * inlined); dist/index.js (Node, ESM) is split like the browser's, into the
 * same chunks. On main with Conv2DTranspose and swish, as one file each:
 * 51,784 (node, over this budget) / 50,746 (edge). Then 38,157 (node's first
 * load) / 50,892 (edge). The edge bundles raised to 52 KiB: they carry every
 * lazy chunk inline, and model files grew by the depth_multiplier inference
 * and the browser schemes' errors, the fit loop and the residual fusion
 * came in: 52,064 (edge).
 */
const SERVER_BUDGET: Record<string, number> = {
  "dist/index.js": 50 * KiB,
  "dist/workerd.js": 52 * KiB,
  "dist/edge-light.js": 52 * KiB,
};
const STANDS_ALONE = ["dist/workerd.js", "dist/edge-light.js"];

async function minifiedGzip(file: string): Promise<number> {
  const { code } = await minify(readFileSync(`${ROOT}${file}`, "utf8"), { module: true, compress: true, mangle: true });
  return gzipSync(code!, { level: 9 }).length;
}

const wasmGzip = (file: string): number => gzipSync(readFileSync(`${ROOT}${file}`), { level: 9 }).length;

describe("size budget", () => {
  for (const [file, budget] of Object.entries(WASM_BUDGET)) {
    it(`${file} stays under ${Number.isInteger(budget / KiB) ? `${budget / KiB} KiB` : `${budget} bytes`} gzipped`, () => {
      const gzipped = wasmGzip(file);
      console.log(`${file}: ${readFileSync(`${ROOT}${file}`).length} bytes, ${gzipped} gzipped`);
      expect(gzipped).toBeLessThanOrEqual(budget);
    });
  }

  describe("the browser download", () => {
    const graph = chunkGraph(ROOT, "dist/browser.js");

    async function firstLoadJs(): Promise<number> {
      let total = 0;
      for (const file of graph.firstLoad) total += await minifiedGzip(file);
      return total;
    }

    it(`first load: the entry's chunks stay under ${FIRST_LOAD_JS} bytes, and with simd-inference.wasm under ${FIRST_LOAD} (the goal: ${FIRST_LOAD_GOAL})`,
      async () => {
        const js = await firstLoadJs();
        const wasm = wasmGzip("dist/wasm/simd-inference.wasm");
        console.log(`first load: ${graph.firstLoad.join(" + ")} ${js} minified and gzipped, + simd-inference.wasm ` +
          `${wasm} gzipped = ${js + wasm} bytes (goal ${FIRST_LOAD_GOAL}: ${FIRST_LOAD_GOAL - js - wasm} to spare)`);
        expect(js).toBeLessThanOrEqual(FIRST_LOAD_JS);
        expect(js + wasm).toBeLessThanOrEqual(FIRST_LOAD);
        expect(js + wasm).toBeLessThanOrEqual(FIRST_LOAD_GOAL);
      });

    it(`a page's first compile adds the training half and the Trainer's chunk, under ${ON_COMPILE} bytes`, async () => {
      const trainer = graph.lazy.filter((f) => /^dist\/chunks\/trainer-[\w-]{8}\.js$/.test(f));
      expect(trainer).toHaveLength(1);
      const added = wasmGzip("dist/wasm/simd-training.wasm") + await minifiedGzip(trainer[0]!);
      console.log(`on compile: simd-training.wasm + ${trainer[0]} = ${added} bytes`);
      expect(added).toBeLessThanOrEqual(ON_COMPILE);
    });

    it("every lazy chunk is a known one and stays under its budget", async () => {
      const sizes: Record<string, number> = {};
      for (const file of graph.lazy) {
        // The threads chunk sits beside the entry (rollup.config.mjs says why), the others in chunks/.
        const name = /^dist\/(?:chunks\/)?(.+)-[\w-]{8}\.js$/.exec(file)?.[1];
        expect(name !== undefined && name in LAZY_BUDGET, `${file}: a new lazy chunk needs a budget here`).toBe(true);
        sizes[name!] = await minifiedGzip(file);
      }
      console.log(`lazy chunks, minified and gzipped: ${JSON.stringify(sizes)}`);
      expect(Object.keys(sizes).sort()).toEqual(Object.keys(LAZY_BUDGET).sort());
      for (const [name, size] of Object.entries(sizes)) expect(size, name).toBeLessThanOrEqual(LAZY_BUDGET[name]!);
    });
  });

  for (const [file, budget] of Object.entries(SERVER_BUDGET)) {
    const alone = STANDS_ALONE.includes(file);
    it(`${file}${alone ? " stands alone and" : "'s first load"} stays under ${budget / KiB} KiB minified and gzipped`,
      async () => {
        const graph = chunkGraph(ROOT, file);
        if (alone) expect(graph).toEqual({ firstLoad: [file], lazy: [] });
        let gzipped = 0;
        for (const f of graph.firstLoad) gzipped += await minifiedGzip(f);
        console.log(`${file}: ${graph.firstLoad.join(" + ")} ${gzipped} minified and gzipped`);
        expect(gzipped).toBeLessThanOrEqual(budget);
      });
  }
});
