// The published declarations as TypeScript consumers see them: two tiny
// projects under fixtures/ (an ES module `.mts` and a CommonJS `.cts`), each
// type-checked with `moduleResolution: node16` against the built package,
// reached by its name (package self-reference, no `paths`). The CommonJS one
// resolves the `require` condition, which must give CommonJS declarations
// (.d.cts): with the ESM .d.ts there, TypeScript reports that an ES module
// cannot be required (TS1471 / TS1479). skipLibCheck is off in both, so a
// broken declaration file (a name stripped by stripInternal) fails too.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = `${ROOT}node_modules/typescript/bin/tsc`;

async function typecheck(project: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [TSC, "-p", `tests/types/fixtures/${project}`],
      { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("TypeScript consumers (node16 resolution, skipLibCheck off)", () => {
  it("the require condition points at .d.cts declarations that exist", () => {
    expect(existsSync(`${ROOT}dist/types/src/index.d.cts`), "run `npm run build` first").toBe(true);
  });

  for (const project of ["esm", "cjs"]) {
    it(`${project === "esm" ? "an ES module (.mts)" : "a CommonJS (.cts)"} consumer type-checks`, async () => {
      const { code, output } = await typecheck(project);
      expect(output).toBe("");
      expect(code).toBe(0);
    });
  }
});
