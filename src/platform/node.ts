// Node's way to the wasm binaries: read them from disk next to the bundle
// (dist/wasm/<variant>.wasm, see wasm-url.ts). `import.meta.url` is the
// bundle's own URL; rollup rewrites it for the CommonJS build.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BackendError, messageOf } from "../errors.js";
import { wasmLoadHint } from "./hints.js";
import type { FileSystem } from "../io/files.js";
import type { ThreadedBinary, TrainingBinary, WasmVariant } from "./variant.js";
import { wasmUrl } from "./wasm-url.js";

/**
 * Where a bundle that left dist/wasm/ behind looks next: the package as
 * installed, resolved by Node from the bundle's folder up (or from the
 * working directory when a CommonJS bundle has neither import.meta.url nor
 * __filename). That is how `esbuild --platform=node` bundles work with no
 * option: their node_modules is still there at run time.
 */
function resolveInstalled(binary: WasmVariant | ThreadedBinary | TrainingBinary, bundleUrl: string | undefined): string {
  const from = bundleUrl !== undefined && bundleUrl !== "" ? bundleUrl
    : typeof __filename === "string" ? __filename : join(process.cwd(), "noop.js");
  return createRequire(from).resolve(`simdcnn/wasm/${binary}.wasm`);
}

/**
 * The binary's URL next to the bundle. The threaded builds and the training
 * halves (for init({ wasm }) given an inference binary) load here at run
 * time only, so they need no literal for browser bundlers to find.
 */
function binaryUrl(binary: WasmVariant | ThreadedBinary | TrainingBinary, bundleUrl: string | undefined): URL {
  return binary.endsWith("-threads") || binary.endsWith("-training") ? new URL(`./wasm/${binary}.wasm`, bundleUrl) : wasmUrl(binary as WasmVariant);
}

export async function loadWasmFromDisk(variant: WasmVariant | ThreadedBinary | TrainingBinary): Promise<Uint8Array> {
  const bundleUrl = (import.meta as { url?: string }).url;
  let url: URL | undefined;
  try {
    url = binaryUrl(variant, bundleUrl);
  } catch {
    // No import.meta.url: bundled to CommonJS. Only the installed package can be found.
  }
  let failure: unknown;
  if (url !== undefined) {
    try {
      return await readFile(url);
    } catch (e) {
      failure = e;
    }
  }
  try {
    return await readFile(resolveInstalled(variant, bundleUrl));
  } catch {
    // Not installed where the bundle runs either: the failure next to the bundle is the one to report.
  }
  if (url === undefined) {
    throw new BackendError(`init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url. ` +
      wasmLoadHint({ runtime: "node", bundleUrl }));
  }
  const code = (failure as { code?: unknown }).code;
  // E.g. ENOENT when simdcnn was bundled and neither dist/wasm/ nor node_modules came along.
  throw new BackendError(`init: loading the '${variant}' wasm build failed: ${messageOf(failure)}. ` +
    `${wasmLoadHint({ runtime: "node", bundleUrl, code: typeof code === "string" ? code : undefined })}`);
}

/** init({ wasm: url }) on Node: file: URLs are read from disk (Node's fetch has no file: scheme). */
export function readFileUrl(url: URL): Promise<Uint8Array> | null {
  return url.protocol === "file:" ? readFile(fileURLToPath(url)) : null;
}

/** Model files on disk: paths relative to the working directory, or file: URLs. */
export const nodeFileSystem: FileSystem = {
  read: (path) => readFile(path),
  sibling: (from, name) => join(dirname(from), name),
  async writeFiles(dir, files) {
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    for (const f of files) {
      const path = resolve(dir, f.name);
      await writeFile(path, f.data);
      written.push(path);
    }
    return written;
  },
};
