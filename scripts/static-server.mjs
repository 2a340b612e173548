// A static file server: just enough HTTP to load dist/, pages and model
// files into a browser, and nothing more. The browser tests use it on port 0
// (the OS picks a free port, so parallel runs cannot collide) and
// `npm run demo` on a fixed one. It listens on 127.0.0.1 only and serves
// only files under the mounted folders whose extension it knows: anything
// else, including `..` escapes, is a 404.
//
// The content types matter: a module script must come as JavaScript, and
// `WebAssembly.instantiateStreaming` refuses a response that is not
// `application/wasm` (the library then falls back to buffering the bytes,
// which would hide a broken streaming path).

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  // Model files and data, loaded by URL.
  ".json": "application/json",
  ".bin": "application/octet-stream",
};

/**
 * Serves `mounts`: URL prefix (e.g. "/dist/") -> folder on disk. With
 * `index`, a path ending in "/" serves that folder's index.html (off by
 * default: the tests expect "/dist/" to be a 404). `headers` go on every
 * file served (the thread tests' cross-origin isolation: COOP and COEP).
 * @param {Readonly<Record<string, string>>} mounts
 * @param {{ port?: number, index?: boolean, headers?: Readonly<Record<string, string>> }} [options] port 0 (the default) lets the OS pick
 * @returns {Promise<{ origin: string, close(): Promise<void> }>}
 * @throws when the server cannot listen (the port is taken, ...).
 */
export async function serveStatic(mounts, { port = 0, index = false, headers = {} } = {}) {
  const roots = Object.entries(mounts).map(([prefix, dir]) => ({ prefix, dir: resolve(dir) }));

  // Resolves a URL path to a file inside one mounted folder, or null.
  function fileFor(pathname) {
    let decoded;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (index && decoded.endsWith("/")) decoded += "index.html";
    if (decoded.includes("\0") || !(extname(decoded) in CONTENT_TYPES)) return null;
    for (const { prefix, dir } of roots) {
      if (!decoded.startsWith(prefix)) continue;
      const file = resolve(dir, "." + sep + decoded.slice(prefix.length));
      // Checked after resolving, so encoded and doubled separators cannot escape either.
      return file.startsWith(dir + sep) ? file : null;
    }
    return null;
  }

  async function handle(req, res) {
    const pathname = (req.url ?? "").split("?")[0];
    const file = req.method === "GET" || req.method === "HEAD" ? fileFor(pathname) : null;
    const body = file !== null && (await stat(file).catch(() => null))?.isFile() ? await readFile(file) : null;
    if (file === null || body === null) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${pathname}\n`);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "content-type": CONTENT_TYPES[extname(file)],
      "content-length": body.length,
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(String(e));
    });
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok, fail) => {
      server.closeAllConnections();
      server.close((e) => (e ? fail(e) : ok()));
    }),
  };
}
