// The package as users get it: `npm pack` of the built tree, and a scratch
// project with that tarball installed, for the tests that run or type-check
// what would be published (Deno, Bun, attw).
//
// Test files run in separate processes (vitest's forks pool), so an
// in-memory cache would pack once per file. The tarball is cached on disk
// instead, under a key hashed from everything that goes into it: every file
// that reuses it got the same bytes, and a rebuilt dist/ packs anew.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CACHE = join(ROOT, "node_modules", ".cache", "simdcnn-tarball");

const run = promisify(execFile);

/** What `npm pack` reads: package.json's `files` (dist, README.md, LICENSE) and package.json itself. */
function packedInputs(): string[] {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
  return [join(ROOT, "package.json"), join(ROOT, "README.md"), join(ROOT, "LICENSE"), ...walk(join(ROOT, "dist"))].sort();
}

function contentKey(): string {
  const hash = createHash("sha256");
  for (const file of packedInputs()) hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

let packed: Promise<string> | undefined;

/**
 * The path of the packed tarball for the current dist/ (run `npm run build`
 * first). Packs at most once per content: concurrent test files each pack
 * into a scratch folder and the first rename into the cache wins.
 */
export function packedTarball(): Promise<string> {
  packed ??= (async () => {
    if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("dist/ is missing: run `npm run build` first");
    const dir = join(CACHE, contentKey());
    const find = (): string | undefined => readdirSync(dir).find((f) => f.endsWith(".tgz"));
    if (existsSync(dir)) {
      const tgz = find();
      if (tgz !== undefined) return join(dir, tgz);
    }
    mkdirSync(CACHE, { recursive: true });
    const scratch = mkdtempSync(join(CACHE, ".pack-"));
    // --ignore-scripts: packing must not build, nor run anything else.
    await run("npm", ["pack", "--ignore-scripts", "--pack-destination", scratch], { cwd: ROOT });
    try {
      renameSync(scratch, dir);
    } catch {
      rmSync(scratch, { recursive: true, force: true }); // another process got there first, with the same bytes
    }
    // Tarballs of earlier builds: after an hour, no run is still reading one
    // (another worktree sharing node_modules may be, for a while).
    for (const old of readdirSync(CACHE)) {
      const path = join(CACHE, old);
      if (path !== dir && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
    return join(dir, find()!);
  })();
  return packed;
}

export interface ConsumerProject {
  dir: string;
  /** Deletes the project. */
  remove(): void;
}

/**
 * A fresh ES module project outside this repository (so nothing resolves
 * through it) with the tarball installed from the file, offline, and the
 * given files copied in (name in the project -> absolute source path).
 */
export async function installTarball(files: Record<string, string> = {}): Promise<ConsumerProject> {
  const tgz = await packedTarball();
  const dir = mkdtempSync(join(tmpdir(), "simdcnn-consumer-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", tgz], { cwd: dir });
    for (const [name, source] of Object.entries(files)) cpSync(source, join(dir, name));
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
