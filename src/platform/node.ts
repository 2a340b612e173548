// Node's way to the wasm binaries: read them from disk next to the bundle
// (dist/wasm/<variant>.wasm). `import.meta.url` is the bundle's own URL; rollup
// rewrites it for the CommonJS build.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { BackendError, messageOf } from "../errors.js";
import { wasmLoadHint } from "./hints.js";
import type { WasmVariant } from "./variant.js";

export async function loadWasmFromDisk(variant: WasmVariant): Promise<Uint8Array> {
  const bundleUrl = (import.meta as { url?: string }).url;
  let url: URL;
  try {
    url = new URL(`./wasm/${variant}.wasm`, bundleUrl);
  } catch {
    throw new BackendError(`init: cannot locate the '${variant}' wasm build: this bundle has no import.meta.url. ` +
      wasmLoadHint({ runtime: "node", bundleUrl }));
  }
  try {
    return await readFile(url);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    // E.g. ENOENT when simdcnn was bundled and dist/wasm/ did not come along.
    throw new BackendError(`init: loading the '${variant}' wasm build failed: ${messageOf(e)}. ` +
      `${wasmLoadHint({ runtime: "node", bundleUrl, code: typeof code === "string" ? code : undefined })}`);
  }
}

/** init({ wasm: url }) on Node: file: URLs are read from disk (Node's fetch has no file: scheme). */
export function readFileUrl(url: URL): Promise<Uint8Array> | null {
  return url.protocol === "file:" ? readFile(fileURLToPath(url)) : null;
}
