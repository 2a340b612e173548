// The chunk graph of a built entry in dist/: which files load with it
// (itself and, transitively, what it imports statically) and which load
// later (behind an `import()`). Read from the files themselves, parsed with
// rollup's parser, so the size budget and the tarball test see what a
// browser or a bundler would follow.
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseAst } from "rollup/parseAst";

interface Node {
  type: string;
  source?: { type: string; value?: unknown } | null;
  [key: string]: unknown;
}

/** Relative JS specifiers a module imports: statically (import / export ... from) and by `import()`. */
function importsOf(code: string): { static: string[]; dynamic: string[] } {
  const found = { static: [] as string[], dynamic: [] as string[] };
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(visit);
    if (typeof n !== "object" || n === null) return;
    const node = n as Node;
    const source = node.source?.type === "Literal" && typeof node.source.value === "string" ? node.source.value : null;
    if (source !== null && source.startsWith(".") && source.endsWith(".js")) {
      if (node.type === "ImportExpression") found.dynamic.push(source);
      else if (/^(Import|ExportNamed|ExportAll)Declaration$/.test(node.type)) found.static.push(source);
    }
    for (const [key, value] of Object.entries(node)) if (key !== "type") visit(value);
  };
  visit(parseAst(code));
  return found;
}

export interface ChunkGraph {
  /** The entry and its static imports, transitively: what loads with it. Paths relative to `root`. */
  firstLoad: string[];
  /** Every other file reachable through an `import()`, with its own static imports. */
  lazy: string[];
}

/** The chunk graph of `entry` (a path under `root`, e.g. "dist/browser.js"). */
export function chunkGraph(root: string, entry: string): ChunkGraph {
  const firstLoad = new Set<string>();
  const lazy = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string, eager: boolean): void => {
    const key = `${eager}:${file}`;
    if (seen.has(key)) return;
    seen.add(key);
    (eager ? firstLoad : lazy).add(file);
    const { static: statics, dynamic } = importsOf(readFileSync(join(root, file), "utf8"));
    const resolve = (spec: string): string => relative(root, join(root, dirname(file), spec));
    for (const spec of statics) walk(resolve(spec), eager);
    for (const spec of dynamic) walk(resolve(spec), false);
  };
  walk(entry, true);
  return { firstLoad: [...firstLoad], lazy: [...lazy].filter((f) => !firstLoad.has(f)) };
}
