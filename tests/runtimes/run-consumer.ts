// Runs consumer.mjs (with tests/edge/scenario.mjs beside it) in a project
// that installed the packed tarball, under Node, Deno or Bun. The runtimes
// come from the `deno` and `bun` devDependencies, whose packages ship the
// binaries: one missing is a failed test (execFile's ENOENT), never a skip.
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ScenarioResult } from "../edge/scenario.mjs";
import { ROOT, installTarball, type ConsumerProject } from "../support/tarball.js";

export const DENO = join(ROOT, "node_modules", ".bin", "deno");
export const BUN = join(ROOT, "node_modules", ".bin", "bun");

export interface ConsumerResult {
  runtime: string;
  /** The file URL `import "simdcnn"` resolved to. */
  entry: string;
  scenario: ScenarioResult;
  /** Hex of the predictions of a model, of its copy loaded from save() in memory, and from files. */
  roundTrip: { original: string; fromMemory: string; fromFiles: string };
}

/** The project, with consumer.mjs, scenario.mjs, threads-consumer.mjs (and its scenario), and the README's example as main.mjs. */
export async function consumerProject(): Promise<ConsumerProject> {
  const project = await installTarball({
    "consumer.mjs": join(ROOT, "tests", "runtimes", "consumer.mjs"),
    "scenario.mjs": join(ROOT, "tests", "edge", "scenario.mjs"),
    "threads-consumer.mjs": join(ROOT, "tests", "runtimes", "threads-consumer.mjs"),
    "threads-scenario.js": join(ROOT, "tests", "browser", "threads-scenario.js"),
  });
  writeFileSync(join(project.dir, "main.mjs"), readmeBlock("## Example", "js"));
  return project;
}

/** The first ```lang block after `heading` in the README. */
function readmeBlock(heading: string, lang: string): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf(`\n${heading}\n`);
  const block = at < 0 ? undefined : new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(readme.slice(at))?.[1];
  if (block === undefined) throw new Error(`README has no ${lang} block under ${heading}`);
  return block;
}

/** The README's line under `heading` that runs main.mjs with `program`: its arguments, and its comment. */
export function readmeCommand(heading: string, program: string): { args: string[]; comment: string } {
  const line = readmeBlock(heading, "sh").split("\n").find((l) => l.startsWith(`${program} `) && /\bmain\.mjs\b/.test(l));
  if (line === undefined) throw new Error(`README has no \`${program} ... main.mjs\` line under ${heading}`);
  const [command = "", comment = ""] = line.split("#");
  return { args: command.trim().split(/\s+/).slice(1), comment };
}

export async function runConsumer<T = ConsumerResult>(project: ConsumerProject, command: string, args: string[],
  env?: Record<string, string>): Promise<T> {
  try {
    const { stdout } = await promisify(execFile)(command, args,
      { cwd: project.dir, timeout: 30_000, maxBuffer: 16 << 20, env: { ...process.env, ...env } });
    return JSON.parse(stdout) as T;
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${String(e)}\n${err.stderr ?? ""}`);
  } finally {
    rmSync(join(project.dir, "saved"), { recursive: true, force: true }); // what model.save() wrote: each run starts without it
  }
}

/** The same script in this Node, on the binary another runtime chose (Node 20 needs the flag for relaxed SIMD). */
export function runInNode(project: ConsumerProject, backend: string): Promise<ConsumerResult> {
  return runConsumer(project, process.execPath, ["consumer.mjs", JSON.stringify({ backend, nodeRelaxedSimdFlag: true })]);
}

/** Everything the scenario computed, without capabilities (whose `reason` names the runtime's circumstances). */
export function numbers(result: ConsumerResult): Omit<ScenarioResult, "capabilities"> {
  const { capabilities: _, ...rest } = result.scenario;
  return rest;
}
