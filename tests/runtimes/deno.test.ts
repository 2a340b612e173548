// simdcnn under Deno, installed as a user installs it: the packed tarball in
// a project's node_modules, a script importing "simdcnn" by name, run with
// the README's command. Deno (2.x) reads a package.json project's
// node_modules by itself and resolves with the `deno`, `node`, `import`
// conditions: the package has no `deno` entry, so the Node ESM entry. Deno is
// V8 like Node, so the same binary must give the same bits as in Node.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsumerProject } from "../support/tarball.js";
import { DENO, consumerProject, numbers, readmeCommand, runConsumer, runInNode, type ConsumerResult } from "./run-consumer.js";

let project: ConsumerProject | undefined;
let deno: ConsumerResult;

beforeAll(async () => {
  project = await consumerProject();
  // The README's permissions: read (the wasm binary in node_modules, model
  // files) and write where model.save() writes.
  deno = await runConsumer(project, DENO, ["run", "--allow-read", "--allow-write=saved", "consumer.mjs"]);
}, 60_000);

afterAll(() => project?.remove());

describe("Deno, with the packed tarball in node_modules", () => {
  it("resolves the Node ESM entry and init() picks relaxed SIMD by itself", () => {
    expect(deno.runtime).toMatch(/^deno 2\./);
    expect(deno.entry).toMatch(/\/node_modules\/simdcnn\/dist\/index\.js$/);
    expect(deno.scenario.capabilities).toMatchObject({ backend: "relaxed-simd", simd: true, relaxedSimd: true });
  });

  it("predicts, trains and fits bit for bit as Node does on the same binary", async () => {
    const node = await runInNode(project!, deno.scenario.capabilities.backend);
    expect(node.scenario.capabilities.backend).toBe(deno.scenario.capabilities.backend);
    expect(numbers(deno)).toEqual(numbers(node));
    expect(deno.roundTrip).toEqual(node.roundTrip);
  });

  it("loads back what model.save() wrote, in memory and through files", () => {
    expect(deno.roundTrip.fromMemory).toBe(deno.roundTrip.original);
    expect(deno.roundTrip.fromFiles).toBe(deno.roundTrip.original);
  });

  it("without --allow-read, init() fails saying which permission to grant", async () => {
    await expect(runConsumer(project!, DENO, ["run", "consumer.mjs"]))
      .rejects.toThrow(/BackendError: init: loading the 'relaxed-simd' wasm build failed: .*--allow-read/);
  });

  it("runs the README's example with the README's command, and with the narrower permission its comment names", async () => {
    const { args, comment } = readmeCommand("### Deno", "deno");
    expect(args).toEqual(["run", "--allow-read", "main.mjs"]);
    const narrower = /--allow-read=\S+/.exec(comment)?.[0];
    expect(narrower).toBe("--allow-read=node_modules/simdcnn");
    for (const command of [args, args.map((a) => a === "--allow-read" ? narrower! : a)]) {
      const { stdout } = await promisify(execFile)(DENO, command, { cwd: project!.dir, timeout: 60_000 });
      expect(stdout, command.join(" ")).toContain("[ 4, 10 ]");
      expect(stdout).toContain("relaxed-simd");
    }
  });
});
