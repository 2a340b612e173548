// Node's way to the wasm binaries: read them from disk next to the bundle
// (dist/wasm/<variant>.wasm). `import.meta.url` is the bundle's own URL; rollup
// rewrites it for the CommonJS build.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BackendError, messageOf } from "../errors.js";
import { wasmLoadHint } from "./hints.js";
import type { FileSystem } from "../io/files.js";
import type { ThreadedBinary, WasmVariant } from "./variant.js";

export async function loadWasmFromDisk(variant: WasmVariant | ThreadedBinary): Promise<Uint8Array> {
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
