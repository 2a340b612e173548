// The wasm backends (relaxed-SIMD, SIMD, scalar): instantiate one of the three
// binaries built from assembly/ and adapt its exports to `Kernels`. The
// exports themselves are described once, in wasm-exports.ts; this file adds
// what has logic of its own (which build the binary is, Adam's corrections).
//
// Only `WebAssembly.instantiate` / `instantiateStreaming` are used, and a
// `WebAssembly.Module` handed in is instantiated as is, never recompiled:
// edge runtimes (workerd) forbid compiling wasm from bytes and hand us a
// Module imported by their bundler. No eval, no new Function.

import { BuildId } from "../../assembly/shared/ids.js";
import type { Kernels } from "./kernels.js";
import { bindWasmExports, type RawExports } from "./wasm-exports.js";

export type WasmVariant = "relaxed-simd" | "simd" | "scalar";

/** Anything a wasm binary can come from. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | PromiseLike<Response>;

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

async function instantiate(source: WasmSource, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  const resolved = isPromiseLike(source) ? await source : source;
  // Response first: WebAssembly.Module is an empty interface to TypeScript,
  // so an `instanceof` test first would narrow everything else away.
  if (isResponse(resolved)) {
    if (!resolved.ok) throw new Error(`fetching the wasm binary failed: HTTP ${resolved.status} ${resolved.statusText}`);
    // instantiateStreaming insists on Content-Type application/wasm; servers
    // that send something else still get served, through the bytes.
    const type = resolved.headers.get("Content-Type") ?? "";
    if (typeof WebAssembly.instantiateStreaming === "function" && type.split(";")[0].trim() === "application/wasm") {
      return (await WebAssembly.instantiateStreaming(resolved, imports)).instance;
    }
    return (await WebAssembly.instantiate(await resolved.arrayBuffer(), imports)).instance;
  }
  if (resolved instanceof WebAssembly.Module) {
    return WebAssembly.instantiate(resolved, imports);
  }
  return (await WebAssembly.instantiate(resolved, imports)).instance;
}

/** The build each id of `buildId()` stands for (ids in assembly/shared/ids.ts). */
const VARIANT_OF_BUILD: Readonly<Record<BuildId, WasmVariant>> = {
  [BuildId.Scalar]: "scalar",
  [BuildId.Simd]: "simd",
  [BuildId.RelaxedSimd]: "relaxed-simd",
};

/**
 * Instantiates a simdcnn kernel binary and returns it as `Kernels`.
 *
 * @param source the binary: a compiled `WebAssembly.Module` (instantiated
 *   directly; the only form edge runtimes accept), its bytes, or a `Response`
 *   (or a promise of one, e.g. `fetch(url)`), streamed when served as
 *   `application/wasm`.
 * @param expected which of the three binaries `source` should be; omitted,
 *   any. Either way `name` is what the binary says it is (its `buildId()`).
 * @throws whatever `WebAssembly.instantiate` throws (e.g. a `CompileError`
 *   when the engine lacks the binary's features), or an `Error` when the
 *   module is not a simdcnn kernel binary or not the `expected` build. The
 *   caller maps these to `BackendError`.
 */
export async function createWasmKernels(source: WasmSource, expected?: WasmVariant): Promise<Kernels> {
  return createWasmKernelsFromInstance(await instantiate(source), expected);
}

/** Which build a binary is, from its `buildId()` export. @throws Error for an id no build has. */
function wasmVariantOf(raw: Pick<RawExports, "buildId">): WasmVariant {
  const id = raw.buildId();
  const variant = VARIANT_OF_BUILD[id as BuildId] as WasmVariant | undefined;
  if (variant === undefined) throw new Error(`not a simdcnn kernel binary: unknown build id ${id}`);
  return variant;
}

/**
 * Adapts an already instantiated kernel binary to `Kernels` (see
 * createWasmKernels): a whole binary, or the browser's inference binary,
 * whose kernels are `trainable` once attachTrainingHalf() has run.
 */
export function createWasmKernelsFromInstance(instance: WebAssembly.Instance, expected?: WasmVariant): Kernels {
  const trainable = typeof instance.exports.gemmBackwardInput === "function";
  const { raw, bound } = bindWasmExports(instance.exports, trainable ? "whole" : "inference");
  const name = wasmVariantOf(raw);
  if (expected !== undefined && expected !== name) {
    throw new Error(`expected the '${expected}' wasm build, but this binary is the '${name}' build`);
  }
  // An inference binary's training methods are missing until
  // attachTrainingHalf(); nothing calls them while `trainable` is false.
  return {
    // Every method the table binds generically (wasm-exports.ts) ...
    ...bound,
    name,
    memory: raw.memory,
    heapBase: raw.heapBase() >>> 0,
    trainable,
    threads: () => 1,
    // ... and the adapters with logic of their own.
    ...(trainable ? adapters(raw) : {} as ReturnType<typeof adapters>),
  };
}

/** The exports wasm.ts wraps itself (`manual` in the table). */
function adapters(raw: RawExports): Pick<Kernels, "adamUpdate"> {
  return {
    adamUpdate: (w, g, m, v, length, lr, beta1, beta2, epsilon, step) => {
      // The bias corrections in JS's f64 (see assembly/optimizer/f32_adam.ts).
      const t = Math.max(step, 1);
      raw.adamUpdate(w, g, m, v, length, beta1, beta2, epsilon, lr / (1 - beta1 ** t), 1 / Math.sqrt(1 - beta2 ** t));
    },
  };
}

/** What a training half needs besides its kernels: the block its scratch lives in. */
interface TrainingHalfExports {
  scratchBytes(): number;
  setScratch(ptr: number): void;
}

/**
 * Instantiates the training half of `kernels`' build (`source`: a
 * <build>-training.wasm) over the inference binary's memory and adds its
 * methods to `kernels`, which are then `trainable`.
 * @param allocScratch hands out `bytes` (16-byte aligned) for good: the half's
 *   scratch, which the whole binaries keep as static data.
 * @throws Error when the binary is no training half, or another build.
 */
export async function attachTrainingHalf(kernels: Kernels, source: WasmSource,
  allocScratch: (bytes: number) => number): Promise<void> {
  const instance = await instantiate(source, { env: { memory: kernels.memory as WebAssembly.Memory } });
  const { raw, bound } = bindWasmExports(instance.exports, "training");
  const half = instance.exports as unknown as TrainingHalfExports;
  if (typeof half.setScratch !== "function" || typeof half.scratchBytes !== "function") {
    throw new Error("not a simdcnn training binary: missing export(s) scratchBytes, setScratch");
  }
  const name = wasmVariantOf(raw);
  if (name !== kernels.name) {
    throw new Error(`the training binary is the '${name}' build, but the inference binary is the '${kernels.name}' build`);
  }
  half.setScratch(allocScratch(half.scratchBytes()));
  Object.assign(kernels, bound, adapters(raw), { trainable: true });
}
