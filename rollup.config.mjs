// Bundles what `tsc -p tsconfig.build.json` emitted into build/js (without
// comments; tsconfig.types.json writes the .d.ts, with their TSDoc, into
// dist/types). Rollup sees only JavaScript, so no rollup
// TypeScript plugin is involved (see tsconfig.json for why).
// Each entry is bundled on its own so every file in dist/ stands alone.
const from = (entry) => `build/js/src/${entry}.js`;
const external = [/^node:/];

export default [
  {
    input: from("index.node"),
    external,
    output: [
      { file: "dist/index.js", format: "es" },
      { file: "dist/index.cjs", format: "cjs", exports: "named" },
    ],
  },
  {
    input: from("index.browser"),
    external,
    output: { file: "dist/browser.js", format: "es" },
  },
  {
    // Edge runtimes (workerd, Vercel Edge) cannot compile wasm from bytes:
    // this entry has no loader, so init({ wasm: module }) is required there.
    input: from("index"),
    external,
    output: { file: "dist/edge.js", format: "es" },
  },
];
