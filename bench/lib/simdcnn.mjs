// simdcnn contestants, one per backend (relaxed-SIMD, SIMD, scalar wasm and
// plain JS). Kernel rows call the `Kernels` interface directly over buffers
// this file places in the backend's memory; model rows go through the public
// API (`init`, `Sequential`, or `input`/`apply`/`Model` for graph models),
// exactly as a user would.

import { readFile, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { takeCompiledSizes, nameBinaries } from "./wasm-spy.mjs";
import { buildModel, loadWeights } from "./simdcnn-models.mjs";

export { buildModel, loadWeights, readWeights } from "./simdcnn-models.mjs";

const ROOT = new URL("../../", import.meta.url);
const path = (rel) => fileURLToPath(new URL(rel, ROOT));

const PAGE_BYTES = 65536;
const ALIGN = 16; // the Kernels contract: every pointer 16-byte aligned
const F32 = 4;

/** Built (tsc) modules the kernel rows need; null with a reason when absent. */
async function loadBuiltBackend() {
  const need = ["build/js/src/backend/wasm.js", "build/js/src/backend/js.js", "build/js/assembly/shared/ids.js"];
  const missing = need.filter((f) => !existsSync(path(f)));
  if (missing.length > 0) return { error: `not built: ${missing.join(", ")} (run npm run build)` };
  const [wasm, js, ids] = await Promise.all(need.map((f) => import(new URL(f, ROOT).href)));
  return { createWasmKernels: wasm.createWasmKernels, createJsKernels: js.createJsKernels, ActivationId: ids.ActivationId };
}

/** The public API via package self-reference; null with a reason when dist/ is missing. */
async function loadPublicApi() {
  if (!existsSync(path("dist/index.js"))) return { error: "dist/index.js missing (run npm run build)" };
  try {
    return { api: await import("simdcnn") };
  } catch (e) {
    return { error: `import("simdcnn") failed: ${e.message}` };
  }
}

/**
 * A bump allocator over a backend's linear memory, reset per workload. It
 * grows the memory up front, before any view is taken, because `grow`
 * detaches every view of the old buffer.
 */
class Bump {
  constructor(kernels) {
    this.kernels = kernels;
    this.reset();
  }
  reset() {
    this.top = Math.ceil(this.kernels.heapBase / ALIGN) * ALIGN;
  }
  alloc(floats) {
    const ptr = this.top;
    this.top = Math.ceil((ptr + floats * F32) / ALIGN) * ALIGN;
    const have = this.kernels.memory.buffer.byteLength;
    if (this.top > have) this.kernels.memory.grow(Math.ceil((this.top - have) / PAGE_BYTES));
    return ptr;
  }
  /** A fresh view (take it after the last alloc of the workload). */
  f32(ptr, length) {
    return new Float32Array(this.kernels.memory.buffer, ptr, length);
  }
}

function geometry(batch, h, w, c, oh, ow, kh, kw, sh, sw, padTop, padLeft) {
  return {
    batch, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow,
    kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, padTop, padLeft,
  };
}

/** Prepares one kernel-level workload on `kernels`; returns { run, result }. */
function prepareKernels(kernels, bump, ids, wl, data) {
  bump.reset();
  const act = wl.activation === "relu" ? ids.Relu : ids.Linear;
  if (wl.kind === "gemm") {
    const { m, k, n } = wl;
    const a = bump.alloc(m * k);
    const b = bump.alloc(k * n);
    const packed = bump.alloc(kernels.gemmPackedSize(k, n));
    const bias = wl.bias ? bump.alloc(n) : 0;
    const c = bump.alloc(m * n);
    bump.f32(a, m * k).set(data.a);
    bump.f32(b, k * n).set(data.b);
    if (bias) bump.f32(bias, n).set(data.bias);
    kernels.gemmPackB(b, k, n, packed); // once, as a layer does at build
    const run = () => kernels.gemm(a, packed, bias, c, m, k, n, act, 0);
    return { run, result: () => (run(), bump.f32(c, m * n).slice()) };
  }
  if (wl.kind === "conv") {
    const g = geometry(wl.batch, wl.h, wl.w, wl.cin, wl.oh, wl.ow, wl.kh, wl.kw, wl.stride, wl.stride, wl.padTop, wl.padLeft);
    const xLen = wl.batch * wl.h * wl.w * wl.cin;
    const wLen = wl.kh * wl.kw * wl.cin * wl.cout;
    const yLen = wl.batch * wl.oh * wl.ow * wl.cout;
    const x = bump.alloc(xLen);
    const w = bump.alloc(wLen);
    const packed = bump.alloc(kernels.conv2dPackedSize(wl.kh, wl.kw, wl.cin, wl.cout));
    const bias = bump.alloc(wl.cout);
    const y = bump.alloc(yLen);
    const scratchFloats = kernels.conv2dScratchSize(g);
    const scratch = scratchFloats > 0 ? bump.alloc(scratchFloats) : 0;
    bump.f32(x, xLen).set(data.x);
    bump.f32(w, wLen).set(data.w);
    bump.f32(bias, wl.cout).set(data.bias);
    kernels.conv2dPackFilter(w, wl.kh, wl.kw, wl.cin, wl.cout, packed);
    const run = () => kernels.conv2d(g, x, packed, bias, y, wl.cout, act, 0, scratch);
    return { run, result: () => (run(), bump.f32(y, yLen).slice()) };
  }
  if (wl.kind === "depthwise") {
    // No packing: the kernel reads the raw Keras depthwise_kernel [kh, kw, C, M].
    const g = geometry(wl.batch, wl.h, wl.w, wl.cin, wl.oh, wl.ow, wl.kh, wl.kw, wl.stride, wl.stride, wl.padTop, wl.padLeft);
    const xLen = wl.batch * wl.h * wl.w * wl.cin;
    const wLen = wl.kh * wl.kw * wl.cin * wl.multiplier;
    const yLen = wl.batch * wl.oh * wl.ow * wl.cout;
    const x = bump.alloc(xLen);
    const w = bump.alloc(wLen);
    const bias = bump.alloc(wl.cout);
    const y = bump.alloc(yLen);
    bump.f32(x, xLen).set(data.x);
    bump.f32(w, wLen).set(data.w);
    bump.f32(bias, wl.cout).set(data.bias);
    const run = () => kernels.depthwiseConv2d(g, 1, 1, x, w, bias, y, wl.multiplier, act, 0);
    return { run, result: () => (run(), bump.f32(y, yLen).slice()) };
  }
  if (wl.kind === "maxpool") {
    const g = geometry(wl.batch, wl.h, wl.w, wl.c, wl.oh, wl.ow, wl.pool, wl.pool, wl.stride, wl.stride, 0, 0);
    const xLen = wl.batch * wl.h * wl.w * wl.c;
    const yLen = wl.batch * wl.oh * wl.ow * wl.c;
    const x = bump.alloc(xLen);
    const y = bump.alloc(yLen);
    bump.f32(x, xLen).set(data.x);
    const run = () => kernels.maxPool2d(g, x, y);
    return { run, result: () => (run(), bump.f32(y, yLen).slice()) };
  }
  throw new Error(`simdcnn kernels: no kernel workload '${wl.kind}'`);
}

/** Row label and short id of each simdcnn backend, shared with the training contestants. */
export const LABELS = {
  "relaxed-simd": "simdcnn relaxed",
  simd: "simdcnn simd",
  scalar: "simdcnn scalar",
  js: "simdcnn js",
};

export const IDS = { "relaxed-simd": "relaxed", simd: "simd", scalar: "scalar", js: "js" };

/** One simdcnn contestant; `variant` is a backend name init() takes (`init({ backend })`). */
export function simdcnn(variant) {
  let kernels = null;
  let bump = null;
  let ids = null;
  let api = null;
  let kernelError = null;
  let apiError = null;
  return {
    id: IDS[variant],
    label: LABELS[variant],
    group: "simdcnn",
    variant,
    async setup() {
      const built = await loadBuiltBackend();
      const notes = [];
      if (built.error) {
        kernelError = built.error;
      } else {
        ids = built.ActivationId;
        try {
          takeCompiledSizes();
          if (variant === "js") {
            kernels = built.createJsKernels();
          } else {
            const bytes = await readFile(path(`dist/wasm/${variant}.wasm`));
            kernels = await built.createWasmKernels(bytes, variant);
          }
          bump = new Bump(kernels);
          const files = nameBinaries(takeCompiledSizes(), [path("dist/wasm")]);
          notes.push(`kernels '${kernels.name}'${files.length ? ` from ${files.join(", ")}` : ""}`);
        } catch (e) {
          kernelError = `${variant} kernels unavailable: ${e.message}`;
        }
      }
      const loaded = await loadPublicApi();
      if (loaded.error) {
        apiError = loaded.error;
      } else {
        api = loaded.api;
        try {
          await api.init({ backend: variant, nodeRelaxedSimdFlag: true });
          const caps = api.capabilities();
          notes.push(`init -> capabilities() backend '${caps.backend}' (simd ${caps.simd}, relaxedSimd ${caps.relaxedSimd})`);
        } catch (e) {
          apiError = `init({ backend: "${variant}" }) failed: ${e.message}`;
        }
      }
      if (kernelError) notes.push(`kernel rows off: ${kernelError}`);
      if (apiError) notes.push(`model rows off: ${apiError}`);
      if (kernelError && apiError) throw new Error(notes.join("; "));
      return notes.join("; ");
    },
    supports(wl) {
      if (wl.kind === "model") return apiError ?? true;
      return kernelError ?? true;
    },
    async prepare(wl, data) {
      if (wl.kind !== "model") return prepareKernels(kernels, bump, ids, wl, data);
      // init() switches the global backend and retires models built before,
      // so every model row gets a fresh init and a fresh model.
      await api.init({ backend: variant, nodeRelaxedSimdFlag: true });
      const model = buildModel(api, wl.spec);
      loadWeights(model, wl.spec, data.weights);
      const x = data.x;
      return {
        run: () => model.predict(x).toArray(),
        result: () => model.predict(x).toArray(),
        dispose: () => model.dispose?.(),
      };
    },
  };
}

/** Newest mtime under assembly/ vs the oldest binary: warns when the wasm is older than its source. */
export async function wasmStaleness() {
  const { readdir } = await import("node:fs/promises");
  let newestSource = 0;
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const p = `${dir}/${entry.name}`;
      if (entry.isDirectory()) await walk(p);
      else if (entry.name.endsWith(".ts")) newestSource = Math.max(newestSource, (await stat(p)).mtimeMs);
    }
  };
  try {
    await walk(path("assembly"));
    const bins = await Promise.all(["scalar", "simd", "relaxed-simd"].map((v) => stat(path(`dist/wasm/${v}.wasm`))));
    const oldest = Math.min(...bins.map((s) => s.mtimeMs));
    return oldest < newestSource ? "dist/wasm/*.wasm is older than assembly/ sources: run `npm run build:wasm`" : null;
  } catch {
    return "dist/wasm/*.wasm missing: run `npm run build:wasm`";
  }
}
