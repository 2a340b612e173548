// simdcnn under Bun, installed as a user installs it: the packed tarball in
// a project's node_modules, a script importing "simdcnn" by name, run with
// `bun script.mjs`. Bun resolves with the `bun`, `node`, `import` conditions:
// the package has no `bun` entry, so the Node ESM entry.
//
// Bun runs JavaScriptCore, not V8. Same bits as Node hold for the SIMD
// binary, which leaves the engine no choice. Relaxed SIMD's madd may be
// fused or not, the engine's pick: V8 fuses (where the CPU has FMA), JSC
// (Bun 1.4) does not, and then the relaxed binary computes exactly what the
// SIMD one does (madd is the only relaxed instruction in the kernels), a few
// percent slower. So init() picks SIMD in Bun by itself (it probes whether
// madd fuses), and relaxed SIMD, asked for, must equal Node bit for bit on
// one of the two binaries.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsumerProject } from "../support/tarball.js";
import { BUN, consumerProject, numbers, readmeCommand, runConsumer, runInNode, type ConsumerResult } from "./run-consumer.js";

let project: ConsumerProject | undefined;
let bun: ConsumerResult;

beforeAll(async () => {
  project = await consumerProject();
  bun = await runConsumer(project, BUN, ["consumer.mjs"]);
}, 60_000);

afterAll(() => project?.remove());

describe("Bun, with the packed tarball in node_modules", () => {
  it("resolves the Node ESM entry; init() sees relaxed SIMD unfused and picks SIMD by itself", () => {
    expect(bun.runtime).toMatch(/^bun 1\./);
    expect(bun.entry).toMatch(/\/node_modules\/simdcnn\/dist\/index\.js$/);
    expect(bun.scenario.capabilities).toMatchObject({ backend: "simd", simd: true, relaxedSimd: true });
    expect(bun.scenario.capabilities.reason).toMatch(/does not fuse/);
  });

  it("predicts, trains and fits bit for bit as Node does on the same binary", async () => {
    const node = await runInNode(project!, bun.scenario.capabilities.backend);
    expect(node.scenario.capabilities.backend).toBe(bun.scenario.capabilities.backend);
    expect(numbers(bun)).toEqual(numbers(node));
    expect(bun.roundTrip).toEqual(node.roundTrip);
  });

  it("relaxed SIMD, asked for, matches Node on it (fused madd) or on SIMD (unfused)", async () => {
    // One after the other: each run writes saved/ in the project.
    const relaxed = await runConsumer(project!, BUN, ["consumer.mjs", JSON.stringify({ backend: "relaxed-simd" })]);
    expect(relaxed.scenario.capabilities.backend).toBe("relaxed-simd");
    const fused = await runInNode(project!, "relaxed-simd");
    const unfused = await runInNode(project!, "simd");
    const same = [fused, unfused].filter((node) => JSON.stringify(numbers(node)) === JSON.stringify(numbers(relaxed)));
    expect(same.length, "Bun's relaxed-SIMD run equals neither Node run").toBeGreaterThan(0);
    console.log(`bun relaxed-simd: same bits as node ${same.map((n) => n.scenario.capabilities.backend).join(" and ")}`);
  });

  it("loads back what model.save() wrote, in memory and through files", () => {
    expect(bun.roundTrip.fromMemory).toBe(bun.roundTrip.original);
    expect(bun.roundTrip.fromFiles).toBe(bun.roundTrip.original);
  });

  it("runs the README's example with the README's command", async () => {
    const { args } = readmeCommand("### Bun", "bun");
    expect(args).toEqual(["main.mjs"]);
    const { stdout } = await promisify(execFile)(BUN, args, { cwd: project!.dir, timeout: 60_000 });
    expect(stdout).toContain("[ 4, 10 ]");
    expect(stdout).toMatch(/\bsimd\b/);
  });
});
