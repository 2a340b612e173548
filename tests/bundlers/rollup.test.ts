// Rollup with @rollup/plugin-node-resolve. Rollup itself emits no assets: it
// keeps `new URL("./wasm/x.wasm", import.meta.url)` as written, relative to
// the output chunk, so the binaries must be copied beside it: one `cp -r`
// after the build (docs/bundlers.md). Without it init() fails naming that
// fix. The library's lazy imports become Rollup's own chunks.
import { join } from "node:path";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import { rollup } from "rollup";
import { beforeAll, describe, expect, it } from "vitest";
import { bundlerSuite, copiedWasmTests, writePage } from "./harness.js";

const suite = bundlerSuite();
let emitted: string[] = [];

beforeAll(async () => {
  const dir = suite.app.dir;
  const bundle = await rollup({ input: join(dir, "main.js"), plugins: [nodeResolve({ browser: true })], logLevel: "silent" });
  try {
    const { output } = await bundle.write({ dir: join(dir, "dist"), format: "es" });
    emitted = output.map((o) => o.fileName);
  } finally {
    await bundle.close();
  }
  writePage(join(dir, "dist"), "main.js");
});

describe("Rollup + @rollup/plugin-node-resolve", () => {
  it("keeps the library's lazy imports as chunks of its own, and emits no binary", () => {
    for (const chunk of ["js", "model-files", "fit-loop", "hints"]) {
      expect(emitted.some((f) => f.startsWith(`${chunk}-`)), `${chunk} chunk in ${emitted.join(", ")}`).toBe(true);
    }
    expect(emitted.filter((f) => f.endsWith(".wasm"))).toEqual([]);
  });

  copiedWasmTests(suite, "Rollup", "## Rollup");
});
