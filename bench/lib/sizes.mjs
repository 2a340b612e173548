// Shipped bytes: each wasm binary and the node bundle, raw and gzipped
// (level 9, as a CDN would serve them).

import { readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const FILES = ["dist/wasm/relaxed-simd.wasm", "dist/wasm/simd.wasm", "dist/wasm/scalar.wasm", "dist/index.js"];

/** [{ file, raw, gzip }] for each shipped file (raw: null when missing). */
export function measureSizes() {
  return FILES.map((file) => {
    const p = fileURLToPath(new URL(`../../${file}`, import.meta.url));
    if (!existsSync(p)) return { file, raw: null, gzip: null };
    const bytes = readFileSync(p);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}
