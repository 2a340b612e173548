// esbuild, for the browser and for Node. esbuild does not follow
// `new URL("./wasm/x.wasm", import.meta.url)` (evanw/esbuild#795): a
// browser bundle keeps the URL, relative to itself, and needs the binaries
// copied beside it: one `cp -r` after the build (docs/bundlers.md). Without
// it init() fails naming that fix; an iife bundle (no import.meta.url) fails
// naming --format=esm. A Node bundle needs nothing: it finds the binaries in
// the app's node_modules, and fails with the fix where node_modules is not.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { build, type BuildOptions } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { bundlerSuite, copiedWasmTests, expectAsNode, expectBackendError, runOutput, writePage, type AppOutcome } from "./harness.js";

const suite = bundlerSuite();

async function bundle(entry: string, options: BuildOptions): Promise<void> {
  const dir = suite.app.dir;
  await build({ entryPoints: [join(dir, entry)], bundle: true, absWorkingDir: dir, logLevel: "silent", ...options });
}

describe("esbuild for the browser (--format=esm --splitting)", () => {
  beforeAll(async () => {
    // Split, as an app with lazy routes is: the library's own lazy chunks become esbuild's.
    await bundle("main.js", { format: "esm", splitting: true, outdir: join(suite.app.dir, "dist") });
    writePage(join(suite.app.dir, "dist"), "main.js");
  });

  copiedWasmTests(suite, "esbuild", "## esbuild, for the browser");
});

describe("esbuild for the browser, one binary imported with --loader:.wasm=file", () => {
  it("emits the imported binary; init({ wasm: its URL }) runs it and matches Node", async () => {
    const out = join(suite.app.dir, "out-loader");
    await bundle("main-one-binary.js", { format: "esm", outdir: out, loader: { ".wasm": "file" }, entryNames: "main" });
    writePage(out, "main.js");
    const outcome = await runOutput(suite, "out-loader");
    await expectAsNode(outcome, suite.input, "simd");
    expect(outcome.requests.filter((u) => u.endsWith(".wasm")).map((u) => new URL(u).pathname)).toEqual([
      expect.stringMatching(/^\/simd-\w+\.wasm$/),
    ]);
  });
});

describe("esbuild for the browser (--format=iife)", () => {
  it("has no import.meta.url: init() fails naming --format=esm", async () => {
    await bundle("main.js", { format: "iife", outdir: join(suite.app.dir, "out-iife") });
    writePage(join(suite.app.dir, "out-iife"), "main.js", "classic");
    const outcome = await runOutput(suite, "out-iife");
    expectBackendError(outcome, ["no import.meta.url", "--format=esm"]);
    expect(outcome.problems).toEqual([]);
  });
});

describe("esbuild --platform=node, run by Node", () => {
  /** Runs a Node bundle with input.json beside it, in `cwd`. */
  async function runBundle(file: string, cwd = suite.app.dir): Promise<AppOutcome> {
    writeFileSync(join(cwd, "input.json"), JSON.stringify(suite.input));
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd, timeout: 30_000 });
    return { ...JSON.parse(stdout) as Pick<AppOutcome, "result" | "error">, problems: [], requests: [] };
  }

  for (const format of ["esm", "cjs"] as const) {
    const file = `out-node/app.${format === "esm" ? "mjs" : "cjs"}`;

    it(`--format=${format}: finds the binary in the app's node_modules with no option, and matches Node`, async () => {
      await bundle("node-main.js", { platform: "node", format, outfile: join(suite.app.dir, file) });
      // init() picks by itself: relaxed SIMD from Node 22, SIMD on Node 20 (whose V8 needs a flag for relaxed SIMD).
      const best = Number(process.versions.node.split(".")[0]) >= 22 ? "relaxed-simd" : "simd";
      await expectAsNode(await runBundle(file), suite.input, best);
    });

    it(`--format=${format}, moved where no node_modules is: init() fails naming the fix`, async () => {
      const bare = mkdtempSync(join(tmpdir(), "simdcnn-node-bundle-"));
      try {
        cpSync(join(suite.app.dir, file), join(bare, basename(file)));
        const outcome = await runBundle(join(bare, basename(file)), bare);
        expectBackendError(outcome, format === "esm"
          ? ["ENOENT", join(bare, "wasm"), "copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle", "--external:simdcnn"]
          : ["no import.meta.url", "install simdcnn there", "--external:simdcnn"]);
      } finally {
        rmSync(bare, { recursive: true, force: true });
      }
    });
  }
});
