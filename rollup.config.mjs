// Bundles what `tsc -p tsconfig.build.json` emitted into build/js (without
// comments; tsconfig.types.json writes the .d.ts, with their TSDoc, into
// dist/types). Rollup sees only JavaScript, so no rollup
// TypeScript plugin is involved (see tsconfig.json for why).
// Each entry is bundled on its own so every file in dist/ stands alone.
const from = (entry) => `build/js/src/${entry}.js`;
const external = [/^node:/];

/**
 * The edge entries import ./wasm/<variant>.wasm (workerd) or
 * ./wasm/<variant>.wasm?module (edge-light) for the runtime's bundler to
 * turn into a WebAssembly.Module. The import must stay exactly as written:
 * it is relative to dist/<entry>.js, where dist/wasm/ sits.
 */
const keepWasmImports = {
  name: "keep-wasm-imports",
  resolveId(source) {
    return /\.wasm(\?module)?$/.test(source) ? { id: source, external: "absolute" } : null;
  },
};

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
    input: from("index.workerd"),
    external,
    plugins: [keepWasmImports],
    output: { file: "dist/workerd.js", format: "es" },
  },
  {
    input: from("index.edge-light"),
    external,
    plugins: [keepWasmImports],
    output: { file: "dist/edge-light.js", format: "es" },
  },
];
