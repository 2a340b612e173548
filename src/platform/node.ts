// Node's way to the wasm binaries: read them from disk next to the bundle
// (dist/wasm/<variant>.wasm). `import.meta.url` is the bundle's own URL; rollup
// rewrites it for the CommonJS build.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { WasmVariant } from "./variant.js";

export async function loadWasmFromDisk(variant: WasmVariant): Promise<Uint8Array> {
  const url = new URL(`./wasm/${variant}.wasm`, import.meta.url);
  return readFile(url);
}

/** init({ wasm: url }) on Node: file: URLs are read from disk (Node's fetch has no file: scheme). */
export function readFileUrl(url: URL): Promise<Uint8Array> | null {
  return url.protocol === "file:" ? readFile(fileURLToPath(url)) : null;
}
