// `npm test` rebuilds only when a source is newer than the built package (or
// part of it is missing, as on a fresh clone: `npm install` builds nothing,
// so that a tarball install runs no script), so a second test run does not
// pay for a second build, and an edit is never tested against stale dist/.
import { statSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { execSync } from "node:child_process";

const sources = ["assembly", "src", "asconfig.json", "tsconfig.json", "tsconfig.build.json", "tsconfig.types.json",
  "rollup.config.mjs", "package.json", "scripts/cts-types.mjs", "scripts/shrink-wasm.mjs"];
const outputs = ["dist/index.js", "dist/index.cjs", "dist/browser.js", "dist/workerd.js",
  "dist/edge-light.js", "dist/types/src/index.d.ts", "dist/types/src/index.d.cts",
  "dist/types/src/wasm-binary.d.ts", "dist/types/src/wasm-binary.d.cts", "dist/wasm/scalar.wasm", "dist/wasm/simd.wasm", "dist/wasm/relaxed-simd.wasm"];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const entry of readdirSync(path)) t = Math.max(t, newest(join(path, entry)));
  return t;
}

const missing = outputs.filter((p) => !existsSync(p));
const stale = missing.length === 0 &&
  Math.max(...sources.map(newest)) > Math.min(...outputs.map((p) => statSync(p).mtimeMs));

if (missing.length > 0 || stale) {
  console.log(missing.length > 0 ? `build: missing ${missing.join(", ")}` : "build: sources changed");
  execSync("npm run build", { stdio: "inherit" });
} else {
  console.log("build: dist/ is up to date");
}
