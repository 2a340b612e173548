// Starts workerd (Cloudflare's runtime, the `workerd` devDependency) with a
// generated config serving a worker bundle (by default tests/edge/worker.mjs,
// the package's workerd entry and the wasm binaries), on a loopback port the kernel picks (address port 0;
// workerd reports the port it bound on its control fd, so no port is guessed
// and none can collide).

import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const HERE = fileURLToPath(new URL(".", import.meta.url));
export const WORKERD_BIN = join(ROOT, "node_modules", ".bin", "workerd");

/**
 * The installed workerd's release date, so the worker gets current Workers
 * behaviour (workerd refuses dates newer than its build knows: 2026-11-24 here).
 */
export const COMPATIBILITY_DATE = "2026-11-17";

/** Loading a cold workerd and compiling three wasm modules takes ~1 s; a loaded 2-core CI box gets 20x that. */
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const LOG_LIMIT = 20_000;

/** One module of the worker bundle: its name, its source file and its kind in the capnp Module union. */
export type WorkerModule = [name: string, file: string, kind: "esModule" | "wasm" | "data"];

/** The bundle of worker.mjs: the test's own modules next to the package's workerd entry. */
export const WORKER_MJS_MODULES: WorkerModule[] = [
  ["worker.mjs", join(HERE, "worker.mjs"), "esModule"],
  // Named like the package, so the worker imports it as a Worker would after bundling.
  ["simdcnn", join(ROOT, "dist", "workerd.js"), "esModule"],
  // What dist/workerd.js imports (./wasm/<variant>.wasm, relative to the module "simdcnn").
  ["wasm/relaxed-simd.wasm", join(ROOT, "dist", "wasm", "relaxed-simd.wasm"), "wasm"],
  ["wasm/simd.wasm", join(ROOT, "dist", "wasm", "simd.wasm"), "wasm"],
  ["scenario.mjs", join(HERE, "scenario.mjs"), "esModule"],
  ["relaxed-simd.wasm", join(ROOT, "dist", "wasm", "relaxed-simd.wasm"), "wasm"],
  ["simd.wasm", join(ROOT, "dist", "wasm", "simd.wasm"), "wasm"],
  ["scalar.wasm", join(ROOT, "dist", "wasm", "scalar.wasm"), "wasm"],
  // The same binary as plain bytes (an ArrayBuffer), to show compiling bytes is refused.
  ["scalar-bytes.bin", join(ROOT, "dist", "wasm", "scalar.wasm"), "data"],
];

export interface WorkerdServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** workerd's stdout and stderr so far (for failure messages). */
  logs(): string;
  /** Kills workerd (SIGTERM, then SIGKILL) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

function configText(modules: readonly WorkerModule[]): string {
  const lines = modules.map(([name, , kind]) => `    (name = "${name}", ${kind} = embed "${name}"),`).join("\n");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
${lines}
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
);
`;
}

/** Copies the bundle's files next to a generated config (capnp `embed` paths are relative to it). */
function writeBundle(dir: string, modules: readonly WorkerModule[]): string {
  for (const [name, file] of modules) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    copyFileSync(file, join(dir, name));
  }
  const config = join(dir, "config.capnp");
  writeFileSync(config, configText(modules));
  return config;
}

/** Starts workerd and resolves once it listens and its worker has answered a request. */
export async function startWorkerd(modules: readonly WorkerModule[] = WORKER_MJS_MODULES): Promise<WorkerdServer> {
  if (!existsSync(WORKERD_BIN)) {
    throw new Error(`workerd is not installed at ${WORKERD_BIN}: run \`npm ci\` ` +
      `(workerd is a devDependency; its postinstall fetches the platform binary, @cloudflare/workerd-<os>-<arch>)`);
  }
  for (const [, file] of modules) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run build\` first (the workerd test loads the built package)`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "simdcnn-workerd-"));
  let child: ChildProcess | null = null;
  let output = "";
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-LOG_LIMIT);
  };
  const killOnExit = (): void => {
    child?.kill("SIGKILL");
  };

  const stop = async (): Promise<void> => {
    process.off("exit", killOnExit);
    const c = child;
    // No pid: spawn itself failed, there is nothing to kill (and no "exit" will come).
    if (c !== null && c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
      c.kill("SIGTERM");
      const timer = setTimeout(() => c.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const config = writeBundle(dir, modules);
    // fd 3 is workerd's control channel: one JSON line per bound socket.
    child = spawn(WORKERD_BIN, ["serve", config, "--control-fd=3"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    // If the test process dies without running afterAll, workerd must not outlive it.
    process.once("exit", killOnExit);
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    const port = await waitForListen(child);
    const url = `http://127.0.0.1:${port}`;
    const ready = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(STARTUP_TIMEOUT_MS) });
    const body = await ready.text();
    if (!ready.ok) throw new Error(`workerd answered /ready with HTTP ${ready.status}: ${body}`);
    return { url, logs: () => output, stop };
  } catch (e) {
    await stop();
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`workerd (${WORKERD_BIN}) failed to start: ${why}\n--- workerd output ---\n${output}`);
  }
}

/** Resolves with the port of the "http" socket, or rejects when workerd exits, cannot spawn, or takes too long. */
function waitForListen(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no "listen" event on the control fd within ${STARTUP_TIMEOUT_MS / 1000} s`));
    }, STARTUP_TIMEOUT_MS);
    const done = (): void => {
      clearTimeout(timer);
      child.off("close", onExit);
      child.off("error", onError);
    };
    // "close", not "exit": it comes after stdout and stderr are drained, so the message has all of workerd's output.
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      done();
      reject(new Error(`workerd exited (code ${code}, signal ${signal}) before listening`));
    };
    const onError = (e: Error): void => {
      done();
      reject(new Error(`could not run workerd: ${e.message}`));
    };
    child.once("close", onExit);
    child.once("error", onError);
    const lines = createInterface({ input: child.stdio[3] as Readable });
    lines.on("line", (line) => {
      let event: { event?: string; socket?: string; port?: number };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        return;
      }
      if (event.event === "listen" && event.socket === "http" && typeof event.port === "number") {
        done();
        lines.close();
        resolve(event.port);
      }
    });
  });
}
