// What to say when the wasm binary cannot be found or fetched: the fix
// depends on where the library runs and how it got there (a Vite dev server,
// an esbuild bundle for the browser or for Node, an edge runtime that was
// handed the browser entry). Detection reads only what the runtime shows
// (globals and the bundle's own URL), never throws, and is pure given its
// inputs, so the choice of message is unit-tested without the runtimes.

/** Where the code runs, as far as the hints care. */
export type HintRuntime = "node" | "browser" | "workerd" | "edge-light";

/** What the hint is chosen from. */
export interface HintContext {
  runtime: HintRuntime;
  /** `import.meta.url` of the bundle doing the loading; undefined when a bundler emptied `import.meta` (esbuild to iife/cjs). */
  bundleUrl: string | undefined;
  /** The error code of a failed read on Node (ENOENT when the file is not there). */
  code?: string;
}

/** The runtime behind `g` (globalThis): edge runtimes first, since they also look like browsers. */
export function detectRuntime(g: unknown): HintRuntime {
  const o = (typeof g === "object" && g !== null ? g : {}) as {
    EdgeRuntime?: unknown; navigator?: { userAgent?: unknown }; process?: { versions?: { node?: unknown } };
  };
  if (typeof o.EdgeRuntime === "string") return "edge-light";
  if (o.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (typeof o.process?.versions?.node === "string") return "node";
  return "browser";
}

const EDGE_ENTRY = "simdcnn's edge entries import their wasm as modules: " +
  "let your bundler resolve the \"workerd\" condition (wrangler does; esbuild: --conditions=workerd,worker) " +
  "or \"edge-light\" (Vercel does), or pass init({ wasm: module }) with a .wasm you import yourself";

/** One sentence (or two) naming the fix for the runtime and bundler at hand. */
export function wasmLoadHint(ctx: HintContext): string {
  const url = ctx.bundleUrl;
  if (ctx.runtime === "workerd" || ctx.runtime === "edge-light") {
    return `Edge runtimes cannot fetch or compile wasm at run time; ${EDGE_ENTRY}.`;
  }
  if (ctx.runtime === "node") {
    const elsewhere = "mark simdcnn as external (esbuild: --external:simdcnn), or pass init({ wasm }) the binary's bytes or file URL.";
    if (url === undefined || url === "") {
      return "simdcnn was bundled without import.meta.url and is not installed where the bundle runs: " +
        `install simdcnn there, ${elsewhere}`;
    }
    return "If simdcnn was bundled (esbuild --platform=node, webpack, ncc) and is not installed where the bundle runs, " +
      `copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle, ${elsewhere}` +
      (ctx.code === undefined || ctx.code === "ENOENT" ? "" : ` (${ctx.code})`);
  }
  // Browsers.
  if (url !== undefined && /\/node_modules\/\.vite\/deps\//.test(url)) {
    return "Vite's dev server pre-bundled simdcnn into node_modules/.vite/deps/ without its binaries " +
      "(Vite 8 keeps them): add optimizeDeps: { exclude: [\"simdcnn\"] } to vite.config.";
  }
  const loader = "or pass init({ wasm }) a URL, bytes or a Response (esbuild --loader:.wasm=file gives an imported .wasm's URL).";
  if (url === undefined || url === "") {
    return "simdcnn was bundled into a script without import.meta.url (esbuild --format=iife or cjs): " +
      `bundle as --format=esm and copy node_modules/simdcnn/dist/wasm/ next to the bundle, ${loader}`;
  }
  return "Copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle (esbuild and Rollup " +
    `leave it behind): cp -r node_modules/simdcnn/dist/wasm <outdir>/ after each build; ${loader}`;
}
