// What `npm pack` would publish: only the built package (dist/), README.md,
// LICENSE and package.json, and no script that runs when the tarball is
// installed (a `prepare` or `install` script would run, and warn or fail, on
// every user's machine; the build runs in `npm test` and `prepublishOnly`).
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { chunkGraph } from "../support/chunks.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface PackResult {
  files: Array<{ path: string; size: number }>;
  size: number;
  unpackedSize: number;
}

describe("the npm tarball", () => {
  it("holds only dist/, README.md, LICENSE and package.json, with every entry point and binary", async () => {
    // --ignore-scripts: packing must not build (nor run anything else) here.
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [pack] = JSON.parse(stdout) as PackResult[];
    const paths = pack!.files.map((f) => f.path).sort();
    const stray = paths.filter((p) => !p.startsWith("dist/") && !["README.md", "LICENSE", "package.json"].includes(p));
    expect(stray).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(["README.md", "LICENSE", "package.json"]));

    // Every file the exports map names is in the tarball.
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { exports: unknown };
    const targets = new Set<string>();
    const collect = (v: unknown): void => {
      if (typeof v === "string") targets.add(v.replace(/^\.\//, ""));
      else if (typeof v === "object" && v !== null) Object.values(v).forEach(collect);
    };
    collect(pkg.exports);
    expect([...targets].filter((t) => !paths.includes(t))).toEqual([]);
    // And every chunk an entry loads, at once or on use (dist/chunks/, see docs/architecture.md).
    const entries = [...targets].filter((t) => t.endsWith(".js"));
    const chunks = entries.flatMap((entry) => {
      const { firstLoad, lazy } = chunkGraph(ROOT, entry);
      return [...firstLoad, ...lazy];
    });
    expect(chunks.filter((c) => c.startsWith("dist/chunks/")).length).toBeGreaterThan(0);
    expect([...new Set(chunks)].filter((c) => !paths.includes(c))).toEqual([]);
    console.log(`tarball: ${paths.length} files, ${pack!.size} bytes packed, ${pack!.unpackedSize} unpacked`);
  });

  it("runs no script on install", () => {
    const { scripts = {} } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { scripts?: Record<string, string> };
    const installTime = ["preinstall", "install", "postinstall", "prepare"].filter((s) => s in scripts);
    expect(installTime).toEqual([]);
  });
});
