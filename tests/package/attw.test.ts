// "Are the types wrong?" (@arethetypeswrong/cli) on the packed tarball: every
// entry point of the exports map ("simdcnn", the simdcnn/wasm/<variant>.wasm
// subpaths, package.json) resolved the four ways TypeScript users resolve it
// (node10, node16 from CommonJS, node16 from ESM, bundler: attw's `strict`
// profile), each to declarations of the right module kind. attw knows only
// these resolutions: the workerd, edge-light and browser conditions are not
// in its view.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, packedTarball } from "../support/tarball.js";

const ATTW = join(ROOT, "node_modules", ".bin", "attw");
const RESOLUTION_KINDS = ["node10", "node16-cjs", "node16-esm", "bundler"];

interface AttwReport {
  analysis: {
    problems: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }>;
    entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }>;
  };
}

let report: AttwReport;

beforeAll(async () => {
  const tgz = await packedTarball();
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(ATTW, [tgz, "--profile", "strict", "--format", "json"], { maxBuffer: 64 << 20 }));
  } catch (e) {
    // attw exits 1 when it finds a problem, still printing its report: the test below shows which.
    const err = e as { stdout?: string; stderr?: string };
    if (!err.stdout) throw new Error(`attw failed: ${String(e)}\n${err.stderr ?? ""}`);
    stdout = err.stdout;
  }
  report = JSON.parse(stdout) as AttwReport;
}, 60_000);

describe("@arethetypeswrong/cli on the tarball", () => {
  it("finds no problem under node10, node16 (CJS and ESM) or bundler resolution", () => {
    expect(report.analysis.problems).toEqual([]);
  });

  it("checked every entry point of the exports map each of the four ways, to the declarations meant for it", () => {
    const resolved = Object.fromEntries(Object.entries(report.analysis.entrypoints).map(([entry, { resolutions }]) =>
      [entry, Object.fromEntries(RESOLUTION_KINDS.map((kind) =>
        [kind, resolutions[kind]?.resolution?.fileName.replace("/node_modules/simdcnn/", "")]))]));
    const types = (esm: string, cjs: string) => ({ node10: esm, "node16-cjs": cjs, "node16-esm": esm, bundler: esm });
    const wasm = types("dist/types/src/wasm-binary.d.ts", "dist/types/src/wasm-binary.d.cts");
    expect(resolved).toEqual({
      ".": types("dist/types/src/index.d.ts", "dist/types/src/index.d.cts"),
      "./wasm/scalar.wasm": wasm,
      "./wasm/simd.wasm": wasm,
      "./wasm/relaxed-simd.wasm": wasm,
      "./wasm/simd-inference.wasm": wasm,
      "./wasm/relaxed-simd-inference.wasm": wasm,
      "./wasm/simd-training.wasm": wasm,
      "./wasm/relaxed-simd-training.wasm": wasm,
      "./wasm/simd-threads.wasm": wasm,
      "./wasm/relaxed-simd-threads.wasm": wasm,
      "./package.json": { node10: "package.json", "node16-cjs": "package.json", "node16-esm": "package.json", bundler: "package.json" },
    });
  });
});
