// Edge runtimes (workerd / Cloudflare Workers, Vercel's edge-light) forbid
// compiling wasm from bytes: the binaries arrive as WebAssembly.Module objects
// that the runtime compiled at load time from the entry's `.wasm` imports.
// The entries import relaxed SIMD and SIMD only: every V8 isolate an edge
// platform runs has SIMD, so the scalar build would be dead weight in each
// worker bundle (init({ wasm }) still takes it).
import { BackendError } from "../errors.js";
import type { WasmLoader } from "../backend/registry.js";
import type { WasmVariant } from "./variant.js";

/** The loader of an edge entry: hands out the Module imported for `variant`. */
export function moduleLoader(entry: string, modules: Partial<Record<WasmVariant, WebAssembly.Module>>): WasmLoader {
  return (variant) => {
    const module = modules[variant];
    if (module !== undefined) return Promise.resolve(module);
    const shipped = Object.keys(modules).map((v) => `'${v}'`).join(" and ");
    return Promise.reject(new BackendError(`init: the ${entry} entry ships the ${shipped} wasm builds, ` +
      `not '${variant}': import node_modules/simdcnn/dist/wasm/${variant}.wasm yourself and pass init({ wasm: module })`));
  };
}
