// Records every WebAssembly module compiled in this process, so the report
// can say which binary each contestant really loaded (not which one we hoped
// it would pick): sizes are matched against the candidate files on disk.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const seen = [];

function note(source) {
  if (source instanceof WebAssembly.Module) return; // already counted when compiled
  const bytes = source?.byteLength;
  if (typeof bytes === "number") seen.push(bytes);
}

/** Wraps the WebAssembly compile entry points; call once, before any contestant loads. */
export function installWasmSpy() {
  const { instantiate, compile, Module } = WebAssembly;
  WebAssembly.instantiate = function (source, ...rest) {
    note(source);
    return instantiate.call(this, source, ...rest);
  };
  WebAssembly.compile = function (source, ...rest) {
    note(source);
    return compile.call(this, source, ...rest);
  };
  // Subclassing keeps `instanceof WebAssembly.Module` true for modules made here.
  WebAssembly.Module = class extends Module {
    constructor(source, ...rest) {
      note(source);
      super(source, ...rest);
    }
  };
}

/** Sizes (bytes) of the modules compiled since the last call. */
export function takeCompiledSizes() {
  return seen.splice(0, seen.length);
}

/**
 * Names the files in `dirs` whose size matches one of `sizes`. Modules of
 * other sizes (Node compiles a few of its own, e.g. its CJS lexer) are listed
 * by size only when nothing matched.
 */
export function nameBinaries(sizes, dirs) {
  const bySize = new Map();
  for (const dir of dirs) {
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith(".wasm"))) {
      bySize.set(statSync(join(dir, name)).size, name);
    }
  }
  const known = sizes.filter((s) => bySize.has(s)).map((s) => bySize.get(s));
  return known.length > 0 ? known : sizes.map((s) => `a ${s}-byte module (no file of that size)`);
}
