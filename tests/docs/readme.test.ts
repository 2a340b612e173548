// The README is the code people paste first: every JS block marked
// `<!-- runs: NAME -->` runs here as written against the built package, so
// the docs cannot drift from the API, and the opening keeps the commands a
// newcomer needs. Node runs the blocks, but for the Worker, which workerd
// serves. (Deno's and Bun's sections run under tests/runtimes/.)
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startWorkerd, type WorkerdServer } from "../edge/workerd-server.js";
import { ROOT, readme, readmeBlocks } from "./readme-blocks.js";

/** How one runnable block is run: the file it is written to, what it finds next to it, what it must print. */
interface NodeRunner {
  kind: "node";
  file: string;
  setup?: (dir: string) => void;
  check: (out: string, dir: string) => void;
}

/** A Worker's block: served by workerd with the package's workerd entry, and asked once. */
interface WorkerRunner {
  kind: "workerd";
  check: (answer: unknown) => void;
}

type Runner = NodeRunner | WorkerRunner;

/** What the Keras converter writes: a Keras 2 model.json (model_config wrapper) and its three shards. */
function writeConvertedKerasModel(dir: string): void {
  const fixture = JSON.parse(readFileSync(join(ROOT, "tests", "io", "fixtures", "keras2-sequential-sharded.json"), "utf8")) as {
    modelJson: { weightsManifest: { paths: string[] }[] }; shards: string[];
  };
  mkdirSync(join(dir, "my-keras-model"));
  writeFileSync(join(dir, "my-keras-model", "model.json"), JSON.stringify(fixture.modelJson));
  fixture.modelJson.weightsManifest.flatMap((g) => g.paths)
    .forEach((p, i) => writeFileSync(join(dir, "my-keras-model", p), Buffer.from(fixture.shards[i]!, "base64")));
}

const BACKEND = /\b(relaxed-simd|simd|scalar)\b/;

const RUNNERS: Record<string, Runner> = {
  worker: {
    kind: "workerd",
    check: (answer) => {
      const { probs, backend } = answer as { probs: number[]; backend: string };
      expect(backend, "workerd runs relaxed SIMD").toBe("relaxed-simd");
      expect(probs).toHaveLength(3);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    },
  },
  example: {
    kind: "node",
    file: "main.mjs",
    check: (out) => {
      expect(out).toContain("[ 4, 10 ]");
      expect(out).toMatch(BACKEND);
    },
  },
  commonjs: {
    kind: "node",
    file: "main.cjs",
    check: (out) => {
      expect(out).toContain("[ 2, 3 ]");
      expect(out).toMatch(BACKEND);
    },
  },
  errors: {
    kind: "node",
    file: "main.mjs",
    // instanceof ShapeError, instanceof CnnError, then a message naming what came.
    check: (out) => expect(out).toMatch(/^true true .*\b4 floats\b.*\b3\b/),
  },
  capabilities: {
    kind: "node",
    file: "main.mjs",
    check: (out) => {
      const lines = out.trim().split("\n");
      expect(lines[0]).toMatch(new RegExp(`^${BACKEND.source} \\S`));
      expect(lines[1]).toMatch(/^true \d+$/);
      expect(lines[2]).toBe("js");
    },
  },
  functional: {
    kind: "node",
    file: "main.mjs",
    check: (out) => {
      expect(out).toContain("Connected to");
      expect(out).toMatch(/Non-trainable params: 32/);
      expect(out).toContain("[ 2, 10 ]");
    },
  },
  "keras-node": {
    kind: "node",
    file: "main.mjs",
    setup: writeConvertedKerasModel,
    check: (out, dir) => {
      expect(out).toMatch(/Total params: \d+/);
      expect(existsSync(join(dir, "my-copy", "model.json"))).toBe(true);
      expect(existsSync(join(dir, "my-copy", "group1-shard1of1.bin"))).toBe(true);
    },
  },
  pictures: {
    kind: "node",
    file: "main.mjs",
    setup: (dir) => {
      cpSync(join(ROOT, "models", "lenet"), join(dir, "lenet"), { recursive: true });
      cpSync(join(ROOT, "tests", "image", "fixtures", "digit-3.png"), join(dir, "digit.png"));
    },
    check: (out, dir) => {
      expect(out).toContain("predicted 3");
      for (const png of ["conv1.png", "kernels.png"]) {
        expect(readFileSync(join(dir, png)).subarray(1, 4).toString("latin1"), png).toBe("PNG");
      }
    },
  },
  training: {
    kind: "node",
    file: "main.mjs",
    check: (out, dir) => {
      // The first line: ten epoch losses, then evaluate's { loss, accuracy }.
      const losses = out.split("{")[0]!.trim().split(" ").map(Number);
      expect(losses).toHaveLength(10);
      expect(losses[9]!, "the bands are told apart: the loss falls").toBeLessThan(losses[0]! / 4);
      expect(out).toMatch(/accuracy: 1\b/);
      const saved = JSON.parse(readFileSync(join(dir, "checkpoint", "model.json"), "utf8")) as {
        weightsManifest: { weights: { group?: string }[] }[];
      };
      expect(saved.weightsManifest.flatMap((g) => g.weights).some((w) => w.group === "optimizer"),
        "includeOptimizer saved Adam's state").toBe(true);
    },
  },
};

/** Serves `code` as a Worker's module in workerd, laid out as the README's workerd config says, and checks its answer. */
async function serveBlock(code: string, runner: WorkerRunner): Promise<void> {
  const dir = mkdtempSync(join(ROOT, "tests", "docs", ".tmp-"));
  let server: WorkerdServer | undefined;
  try {
    writeFileSync(join(dir, "index.js"), code);
    server = await startWorkerd([
      ["index.js", join(dir, "index.js"), "esModule"],
      ["simdcnn", join(ROOT, "dist", "workerd.js"), "esModule"],
      ["wasm/relaxed-simd.wasm", join(ROOT, "dist", "wasm", "relaxed-simd.wasm"), "wasm"],
      ["wasm/simd.wasm", join(ROOT, "dist", "wasm", "simd.wasm"), "wasm"],
    ]);
    const response = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(20_000) });
    const body = await response.text();
    expect(response.status, `${body}\n--- workerd output ---\n${server.logs()}`).toBe(200);
    runner.check(JSON.parse(body));
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `code` with this Node from a folder inside the package, where `import "simdcnn"` resolves to dist/ by self-reference. */
function runBlock(code: string, runner: NodeRunner): void {
  const dir = mkdtempSync(join(ROOT, "tests", "docs", ".tmp-"));
  try {
    runner.setup?.(dir);
    const file = join(dir, runner.file);
    writeFileSync(file, code);
    const out = execFileSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000, cwd: dir });
    runner.check(out, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("README", () => {
  it("opens with what simdcnn is, how to install it, and the two commands of the repository", () => {
    const opening = readme().split("\n## ")[0]!;
    expect(opening).toMatch(/^# simdcnn\n\n\S/);
    const commands = readmeBlocks(opening).filter((b) => b.lang === "sh").map((b) => b.code).join("");
    expect(commands).toMatch(/^npm install simdcnn\b/m);
    expect(commands).toMatch(/^npm install && npm start\b/m);
    expect(commands).toMatch(/^npm test\b/m);
    // The commands do what the opening says: start runs the demo, test runs the suite.
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.start).toBe("node demo/main.mjs");
    expect(existsSync(join(ROOT, "demo", "main.mjs"))).toBe(true);
    expect(scripts.test).toContain("vitest run");
  });

  it("links point at the README's own headings and at files of the repository", () => {
    const prose = readme().replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
    // GitHub's anchors: lower case, punctuation but hyphens dropped, each space a hyphen.
    const slug = (heading: string): string => heading.toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/ /g, "-");
    const anchors = new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(10);
    const broken = targets.filter((t) => (t.startsWith("#") ? !anchors.has(t.slice(1)) : !existsSync(join(ROOT, t))));
    expect(broken).toEqual([]);
  });

  it("every JS block says whether it runs, and every runnable one has a runner here", () => {
    const js = readmeBlocks().filter((b) => b.lang === "js");
    const unmarked = js.filter((b) => (b.runs === undefined) === (b.notRun === undefined)).map((b) => `README.md:${b.line}`);
    expect(unmarked, "a js block needs <!-- runs: NAME --> or <!-- not run: REASON --> on the line before").toEqual([]);
    const names = js.flatMap((b) => (b.runs === undefined ? [] : [b.runs]));
    expect([...names].sort()).toEqual(Object.keys(RUNNERS).sort());
    // The example users copy first and the functional model are among them.
    expect(js.find((b) => b.heading === "## Example")?.runs).toBe("example");
    expect(js.find((b) => b.heading === "## Functional models")?.runs).toBe("functional");
  });

  for (const [name, runner] of Object.entries(RUNNERS)) {
    it(`the '${name}' block runs as written`, async () => {
      const block = readmeBlocks().find((b) => b.runs === name);
      expect(block, `README has a <!-- runs: ${name} --> block`).toBeDefined();
      if (runner.kind === "workerd") await serveBlock(block!.code, runner);
      else runBlock(block!.code, runner);
    });
  }
});
