// The wasm backends (relaxed-SIMD, SIMD, scalar): instantiate one of the three
// binaries built from assembly/ and adapt its exports to `Kernels`.
//
// Only `WebAssembly.instantiate` / `instantiateStreaming` are used, and a
// `WebAssembly.Module` handed in is instantiated as is, never recompiled:
// edge runtimes (workerd) forbid compiling wasm from bytes and hand us a
// Module imported by their bundler. No eval, no new Function.

import type { ActivationId } from "../../assembly/shared/ids.js";
import type { Kernels, LinearMemory, WindowGeometry } from "./kernels.js";
import { bindWasmElementwiseKernels } from "./wasm-elementwise.js";
import { bindWasmTrainingKernels } from "./wasm-train.js";
import { bindWasmNormKernels } from "./wasm-norm.js";

export type WasmVariant = "relaxed-simd" | "simd" | "scalar";

/** Anything a wasm binary can come from. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response>;

/** The raw exports of assembly/index.ts (pointers and sizes are numbers). */
interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemmPackedSize(k: number, n: number): number;
  gemmPackB(b: number, k: number, n: number, packed: number): void;
  gemm(a: number, packedB: number, bias: number, c: number, m: number, k: number, n: number, act: number, alpha: number): void;
  conv2dPackedSize(kh: number, kw: number, cin: number, cout: number): number;
  conv2dPackFilter(w: number, kh: number, kw: number, cin: number, cout: number, packed: number): void;
  conv2dScratchSize(
    batch: number, inH: number, inW: number, cin: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
  ): number;
  conv2d(
    batch: number, inH: number, inW: number, cin: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number,
    x: number, packedW: number, bias: number, y: number, cout: number, act: number, alpha: number, scratch: number,
  ): void;
  maxPool2d(
    batch: number, inH: number, inW: number, ch: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number, x: number, y: number,
  ): void;
  avgPool2d(
    batch: number, inH: number, inW: number, ch: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number, x: number, y: number,
  ): void;
  globalAvgPool2d(batch: number, height: number, width: number, channels: number, x: number, y: number): void;
  activation(x: number, y: number, length: number, act: number, alpha: number): void;
  softmax(x: number, y: number, rows: number, cols: number): void;
  fillUniform(out: number, length: number, seed: number, limit: number): void;
}

const REQUIRED_EXPORTS: readonly (keyof KernelExports)[] = [
  "memory", "heapBase", "gemmPackedSize", "gemmPackB", "gemm", "conv2dPackedSize", "conv2dPackFilter",
  "conv2dScratchSize", "conv2d", "maxPool2d", "avgPool2d", "globalAvgPool2d", "activation", "softmax", "fillUniform",
];

/**
 * Duck-typed only: a Response from another realm or a fetch polyfill fails
 * `instanceof`, and on Node merely reading the global `Response` loads
 * undici, Node's fetch (~65 ms of a cold start that reads its bytes from disk).
 */
function isResponse(x: unknown): x is Response {
  return typeof x === "object" && x !== null && typeof (x as Response).arrayBuffer === "function" &&
    typeof (x as Response).headers === "object" && typeof (x as Response).status === "number";
}

function isPromiseLike(x: unknown): x is PromiseLike<Response> {
  return typeof x === "object" && x !== null && typeof (x as PromiseLike<unknown>).then === "function";
}

async function instantiate(source: WasmSource): Promise<WebAssembly.Instance> {
  const resolved = isPromiseLike(source) ? await source : source;
  // Response first: WebAssembly.Module is an empty interface to TypeScript,
  // so an `instanceof` test first would narrow everything else away.
  if (isResponse(resolved)) {
    if (!resolved.ok) throw new Error(`fetching the wasm binary failed: HTTP ${resolved.status} ${resolved.statusText}`);
    // instantiateStreaming insists on Content-Type application/wasm; servers
    // that send something else still get served, through the bytes.
    const type = resolved.headers.get("Content-Type") ?? "";
    if (typeof WebAssembly.instantiateStreaming === "function" && type.split(";")[0].trim() === "application/wasm") {
      return (await WebAssembly.instantiateStreaming(resolved, {})).instance;
    }
    return (await WebAssembly.instantiate(await resolved.arrayBuffer(), {})).instance;
  }
  if (resolved instanceof WebAssembly.Module) {
    return WebAssembly.instantiate(resolved, {});
  }
  return (await WebAssembly.instantiate(resolved, {})).instance;
}

/**
 * Instantiates a simdcnn kernel binary and returns it as `Kernels`.
 *
 * @param source the binary: a compiled `WebAssembly.Module` (instantiated
 *   directly; the only form edge runtimes accept), its bytes, or a `Response`
 *   (or a promise of one, e.g. `fetch(url)`), streamed when served as
 *   `application/wasm`.
 * @param variant which of the three binaries `source` is; becomes `name`.
 * @throws whatever `WebAssembly.instantiate` throws (e.g. a `CompileError`
 *   when the engine lacks the binary's features), or an `Error` when the
 *   module is not a simdcnn kernel binary. The caller maps these to
 *   `BackendError`.
 */
export async function createWasmKernels(source: WasmSource, variant: WasmVariant): Promise<Kernels> {
  return createWasmKernelsFromInstance(await instantiate(source), variant);
}

/** Adapts an already instantiated kernel binary to `Kernels`. */
export function createWasmKernelsFromInstance(instance: WebAssembly.Instance, variant: WasmVariant): Kernels {
  const raw = instance.exports as Partial<Record<keyof KernelExports, unknown>>;
  const missing = REQUIRED_EXPORTS.filter((name) => raw[name] === undefined);
  if (missing.length > 0) {
    throw new Error(`not a simdcnn kernel binary: missing export(s) ${missing.join(", ")}`);
  }
  const e = raw as unknown as KernelExports;
  const memory: LinearMemory = e.memory;
  const heapBase = e.heapBase() >>> 0;
  return {
    ...bindWasmTrainingKernels(instance.exports as Record<string, unknown>, memory),
    ...bindWasmNormKernels(instance.exports as Record<string, unknown>),
    ...bindWasmElementwiseKernels(instance.exports as Record<string, unknown>),
    name: variant,
    memory,
    heapBase,
    gemmPackedSize: (k, n) => e.gemmPackedSize(k, n),
    gemmPackB: (b, k, n, packed) => e.gemmPackB(b, k, n, packed),
    gemm: (a, packedB, bias, c, m, k, n, act: ActivationId, alpha) =>
      e.gemm(a, packedB, bias, c, m, k, n, act, alpha),
    conv2dPackedSize: (kh, kw, cin, cout) => e.conv2dPackedSize(kh, kw, cin, cout),
    conv2dPackFilter: (w, kh, kw, cin, cout, packed) => e.conv2dPackFilter(w, kh, kw, cin, cout, packed),
    conv2dScratchSize: (g: WindowGeometry) =>
      e.conv2dScratchSize(
        g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
        g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft,
      ),
    conv2d: (g, x, packedW, bias, y, outChannels, act, alpha, scratch) =>
      e.conv2d(
        g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
        g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft,
        x, packedW, bias, y, outChannels, act, alpha, scratch,
      ),
    maxPool2d: (g, x, y) =>
      e.maxPool2d(
        g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
        g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, x, y,
      ),
    avgPool2d: (g, x, y) =>
      e.avgPool2d(
        g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
        g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, x, y,
      ),
    globalAvgPool2d: (batch, height, width, channels, x, y) => e.globalAvgPool2d(batch, height, width, channels, x, y),
    activation: (x, y, length, act, alpha) => e.activation(x, y, length, act, alpha),
    softmax: (x, y, rows, cols) => e.softmax(x, y, rows, cols),
    fillUniform: (out, length, seed, limit) => e.fillUniform(out, length, seed, limit),
  };
}
