// The README's example is code people paste first: run it as written, so the
// docs cannot drift from the API.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("the Node example of loading a converted Keras model runs as written", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const example = /## Loading a Keras \/ TF\.js model[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README has a js block under ## Loading a Keras / TF.js model").toBeTruthy();
    const dir = mkdtempSync(join(root, "tests", "docs", ".tmp-"));
    try {
      // What the converter writes: a Keras 2 model.json (model_config wrapper) and its three shards.
      const fixture = JSON.parse(readFileSync(join(root, "tests", "io", "fixtures", "keras2-sequential-sharded.json"), "utf8")) as {
        modelJson: { weightsManifest: { paths: string[] }[] }; shards: string[];
      };
      mkdirSync(join(dir, "my-keras-model"));
      writeFileSync(join(dir, "my-keras-model", "model.json"), JSON.stringify(fixture.modelJson));
      fixture.modelJson.weightsManifest.flatMap((g) => g.paths)
        .forEach((p, i) => writeFileSync(join(dir, "my-keras-model", p), Buffer.from(fixture.shards[i]!, "base64")));
      const file = join(dir, "load.mjs");
      writeFileSync(file, example!);
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000, cwd: dir });
      expect(out).toMatch(/Total params: \d+/);
      expect(existsSync(join(dir, "my-copy", "model.json"))).toBe(true);
      expect(existsSync(join(dir, "my-copy", "group1-shard1of1.bin"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Pictures example runs as written on a held-out digit and the shipped LeNet", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const example = /## Pictures[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README has a js block under ## Pictures").toBeTruthy();
    const dir = mkdtempSync(join(root, "tests", "docs", ".tmp-"));
    try {
      cpSync(join(root, "models", "lenet"), join(dir, "lenet"), { recursive: true });
      cpSync(join(root, "tests", "image", "fixtures", "digit-3.png"), join(dir, "digit.png"));
      const file = join(dir, "pictures.mjs");
      writeFileSync(file, example!);
      const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000, cwd: dir });
      expect(out).toContain("predicted 3");
      for (const png of ["conv1.png", "kernels.png"]) {
        expect(readFileSync(join(dir, png)).subarray(1, 4).toString("latin1"), png).toBe("PNG");
      }
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
