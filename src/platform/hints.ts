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

const EDGE_ENTRY = "simdcnn has an entry for edge runtimes that imports its wasm as modules: " +
  "let your bundler resolve the \"workerd\" condition (wrangler does; esbuild: --conditions=workerd,worker) " +
  "or \"edge-light\" (Vercel does), or pass init({ wasm: module }) with a .wasm you import yourself";

/** One sentence (or two) naming the fix for the runtime and bundler at hand. */
export function wasmLoadHint(ctx: HintContext): string {
  const url = ctx.bundleUrl;
  if (ctx.runtime === "workerd" || ctx.runtime === "edge-light") {
    return `Edge runtimes cannot fetch or compile wasm at run time; ${EDGE_ENTRY}.`;
  }
  if (ctx.runtime === "node") {
    if (url === undefined || url === "") {
      return "simdcnn was bundled into a file without import.meta.url: mark simdcnn as external in the " +
        "bundler (esbuild: --external:simdcnn), or pass init({ wasm }) with the binary's bytes or file URL.";
    }
    return "If simdcnn was bundled (esbuild --platform=node, webpack, ncc), copy node_modules/simdcnn/dist/wasm/ " +
      "into a wasm/ folder next to the bundle, mark simdcnn as external (esbuild: --external:simdcnn), " +
      "or pass init({ wasm }) with the binary's bytes or file URL." +
      (ctx.code === undefined || ctx.code === "ENOENT" ? "" : ` (${ctx.code})`);
  }
  // Browsers.
  if (url !== undefined && /\/node_modules\/\.vite\/deps\//.test(url)) {
    return "Vite's dev server pre-bundled simdcnn into node_modules/.vite/deps/, where its wasm/ folder is not: " +
      "add optimizeDeps: { exclude: [\"simdcnn\"] } to vite.config (Vite's production build copies the binaries itself).";
  }
  if (url === undefined || url === "") {
    return "simdcnn was bundled into a script without import.meta.url (esbuild --format=iife or cjs): " +
      "bundle as --format=esm and copy node_modules/simdcnn/dist/wasm/ next to the bundle, or pass the binary " +
      "yourself with init({ wasm }) (a URL, bytes or a Response; esbuild --loader:.wasm=file gives its URL).";
  }
  return "Copy node_modules/simdcnn/dist/wasm/ into a wasm/ folder next to the bundle (esbuild and other bundlers " +
    "that do not follow new URL(..., import.meta.url) leave it behind), or pass the binary yourself with " +
    "init({ wasm }) (a URL, bytes or a Response; esbuild --loader:.wasm=file gives its URL).";
}
