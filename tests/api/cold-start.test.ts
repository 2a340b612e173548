// What a cold init() on Node pulls in. Reading the global `Response` (or
// calling fetch) makes Node load undici, its fetch implementation: ~65 ms,
// which used to be most of init() although the node entry reads the binary
// from disk. Checked through Node's list of loaded internal modules in a
// fresh process (a result, not a timing).
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const entry = require.resolve("simdcnn"); // the node entry's CommonJS build: same code as dist/index.js

/** Runs `body` in a fresh Node after `init(initArgs)` and returns the undici modules it loaded. */
function undiciAfter(initArgs: string, body = ""): string[] {
  const script = `
    const lib = require(${JSON.stringify(entry)});
    lib.init(${initArgs}).then(() => {
      ${body}
      const loaded = process.moduleLoadList.filter((m) => /undici/.test(m));
      process.stdout.write(JSON.stringify({ backend: lib.capabilities().backend, loaded }));
    }, (e) => { process.stderr.write(String(e)); process.exit(1); });`;
  const out = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as
    { backend: string; loaded: string[] };
  expect(out.backend).not.toBe("js");
  return out.loaded;
}

describe("cold init() on Node", () => {
  it("does not load Node's fetch (undici) when the binary comes from disk", () => {
    expect(undiciAfter("{ nodeRelaxedSimdFlag: true }")).toEqual([]);
    expect(undiciAfter('{ backend: "scalar" }')).toEqual([]);
  });

  it("the probe sees undici once something does touch Response", () => {
    expect(undiciAfter('{ backend: "scalar" }', "globalThis.Response;").length).toBeGreaterThan(0);
  });
});
