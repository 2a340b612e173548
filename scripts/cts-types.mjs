// CommonJS consumers need CommonJS declarations: in this "type": "module"
// package every .d.ts is ESM to TypeScript, and a `.cts` file resolving the
// `require` condition to one gets TS1479 (an ES module cannot be required).
// So each .d.ts under dist/types gets a .d.cts twin whose relative imports
// name the .cjs twins (`./x.js` -> `./x.cjs`, which TypeScript maps to
// `./x.d.cts`). The declarations are the same text otherwise.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = process.argv[2] ?? "dist/types";
const RELATIVE_JS = /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']*?)\.js\2/g;

let count = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8").replace(RELATIVE_JS, (_, lead, q, spec) => `${lead}${q}${spec}.cjs${q}`);
      writeFileSync(path.slice(0, -".d.ts".length) + ".d.cts", text);
      count++;
    }
  }
}
walk(ROOT);
console.log(`cts-types: ${count} .d.cts written under ${ROOT}`);
