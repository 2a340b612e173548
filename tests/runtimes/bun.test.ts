// simdcnn under Bun, installed as a user installs it: the packed tarball in
// a project's node_modules, a script importing "simdcnn" by name, run with
// `bun script.mjs`. Bun resolves with the `bun`, `node`, `import` conditions:
// the package has no `bun` entry, so the Node ESM entry.
//
// Bun runs JavaScriptCore, not V8. Same bits as Node hold for the SIMD
// binary, which leaves the engine no choice. Relaxed SIMD's madd may be
// fused or not, the engine's pick: V8 fuses (where the CPU has FMA), JSC
// may not, and then the relaxed binary computes exactly what the SIMD one
// does (madd is the only relaxed instruction in the kernels). So Bun's
// default run must equal, bit for bit, Node on one of the two.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsumerProject } from "../support/tarball.js";
import { BUN, consumerProject, numbers, runConsumer, runInNode, type ConsumerResult } from "./run-consumer.js";

let project: ConsumerProject | undefined;
let bun: ConsumerResult;

beforeAll(async () => {
  project = await consumerProject();
  bun = await runConsumer(project, BUN, ["consumer.mjs"]);
}, 60_000);

afterAll(() => project?.remove());

describe("Bun, with the packed tarball in node_modules", () => {
  it("resolves the Node ESM entry and init() picks the fastest binary by itself", () => {
    expect(bun.runtime).toMatch(/^bun 1\./);
    expect(bun.entry).toMatch(/\/node_modules\/simdcnn\/dist\/index\.js$/);
    expect(bun.scenario.capabilities).toMatchObject({ backend: "relaxed-simd", simd: true, relaxedSimd: true });
  });

  it("on the SIMD binary, predicts, trains and fits bit for bit as Node does", async () => {
    // One after the other: both write saved/ in the project.
    const bunSimd = await runConsumer(project!, BUN, ["consumer.mjs", JSON.stringify({ backend: "simd" })]);
    const nodeSimd = await runInNode(project!, "simd");
    expect(bunSimd.scenario.capabilities.backend).toBe("simd");
    expect(numbers(bunSimd)).toEqual(numbers(nodeSimd));
    expect(bunSimd.roundTrip).toEqual(nodeSimd.roundTrip);
  });

  it("on the binary init() chose, matches Node on that binary (fused madd) or on SIMD (unfused)", async () => {
    const fused = await runInNode(project!, bun.scenario.capabilities.backend);
    const unfused = await runInNode(project!, "simd");
    const same = [fused, unfused].filter((node) => JSON.stringify(numbers(node)) === JSON.stringify(numbers(bun)));
    expect(same.length, "Bun's default run equals neither Node run").toBeGreaterThan(0);
    console.log(`bun ${bun.scenario.capabilities.backend}: same bits as node ${same.map((n) => n.scenario.capabilities.backend).join(" and ")}`);
  });

  it("loads back what model.save() wrote, in memory and through files", () => {
    expect(bun.roundTrip.fromMemory).toBe(bun.roundTrip.original);
    expect(bun.roundTrip.fromFiles).toBe(bun.roundTrip.original);
  });
});
