// What the bundlers in this folder rely on, read from dist/: each entry
// names every binary as a literal `new URL("./wasm/<build>.wasm", import.meta.url)`
// in its own file, so the URL is relative to the entry, beside dist/wasm/.
// A URL in a chunk of dist/chunks/ would point one folder too deep: a
// browser would 404 and Node would quietly fall back to resolving the
// installed package, hiding the broken layout; hence this check.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/tarball.js";

const DIST = join(ROOT, "dist");
const BUILDS = ["relaxed-simd", "simd", "scalar"];
/** What a page fetches: the SIMD builds in halves (training on a model's first compile), the scalar build whole. */
const BROWSER_FILES = ["relaxed-simd-inference", "simd-inference", "scalar", "relaxed-simd-training", "simd-training"];

describe("the wasm URLs in dist/", () => {
  it("browser.js names each binary a page fetches as new URL(literal, import.meta.url)", () => {
    const code = readFileSync(join(DIST, "browser.js"), "utf8");
    for (const file of BROWSER_FILES) expect(code).toContain(`new URL("./wasm/${file}.wasm", import.meta.url)`);
    // The whole SIMD binaries are Node's and the edge runtimes': a page bundler should not emit them.
    for (const build of ["relaxed-simd", "simd"]) expect(code).not.toContain(`"./wasm/${build}.wasm"`);
  });

  it("index.js names each whole binary as new URL(literal, import.meta.url)", () => {
    const code = readFileSync(join(DIST, "index.js"), "utf8");
    for (const build of BUILDS) expect(code).toContain(`new URL("./wasm/${build}.wasm", import.meta.url)`);
  });

  it("index.cjs names each binary relative to its own file", () => {
    const code = readFileSync(join(DIST, "index.cjs"), "utf8");
    for (const build of BUILDS) expect(code).toMatch(new RegExp(`new URL\\("\\./wasm/${build}\\.wasm", \\(typeof document === 'undefined' \\? require\\('u' \\+ 'rl'\\)\\.pathToFileURL\\(__filename\\)`));
  });

  it("no chunk of dist/chunks/ names a binary beside itself", () => {
    const chunks = readdirSync(join(DIST, "chunks"));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(readFileSync(join(DIST, "chunks", chunk), "utf8"), chunk).not.toContain(`"./wasm/`);
  });

  it("the browser's threads chunk sits beside the entry and names the threaded binaries and its worker script in wasm/", () => {
    // Beside the entry, so the URLs resolve alike from dist/ and from an esbuild or Rollup output folder.
    expect(readdirSync(join(DIST, "chunks")).filter((f) => f.startsWith("browser-threads-"))).toEqual([]);
    const chunk = readdirSync(DIST).filter((f) => f.startsWith("browser-threads-"));
    expect(chunk).toHaveLength(1);
    const code = readFileSync(join(DIST, chunk[0]!), "utf8");
    for (const build of ["relaxed-simd-threads", "simd-threads"]) {
      expect(code).toContain(`new URL("./wasm/${build}.wasm", import.meta.url)`);
    }
    expect(code).toContain(`new Worker(new URL("./wasm/threads-worker-browser.js", import.meta.url), { type: "module" })`);
    expect(readdirSync(join(DIST, "wasm"))).toContain("threads-worker-browser.js");
  });
});
