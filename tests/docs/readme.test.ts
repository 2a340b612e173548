// The README's example is code people paste first: run it as written, so the
// docs cannot drift from the API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("README", () => {
  it("the example runs as written and prints a [4, 10] prediction", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const example = /## Example\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README has an ## Example js block").toBeTruthy();
    // Inside the package folder, so `import ... from "simdcnn"` resolves to dist/ by self-reference.
    const dir = mkdtempSync(join(root, "tests", "docs", ".tmp-"));
    try {
      const file = join(dir, "example.mjs");
      writeFileSync(file, example!);
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
      expect(out).toContain("[ 4, 10 ]");
      expect(out).toMatch(/Total params: \d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the functional-model example runs as written", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const example = /## Functional models[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README has a js block under ## Functional models").toBeTruthy();
    const dir = mkdtempSync(join(root, "tests", "docs", ".tmp-"));
    try {
      const file = join(dir, "functional.mjs");
      writeFileSync(file, example!);
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
      expect(out).toContain("Connected to");
      expect(out).toMatch(/Non-trainable params: 32/);
      expect(out).toContain("[ 2, 10 ]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
