// A static file server for the browser tests: just enough HTTP to load
// dist/, the fixtures and model files into Chromium, and nothing more. It listens on
// 127.0.0.1 port 0 (the OS picks a free port, so parallel runs cannot
// collide) and serves only files under the mounted folders whose extension
// it knows: anything else, including `..` escapes, is a 404.
//
// The content types matter: a module script must come as JavaScript, and
// `WebAssembly.instantiateStreaming` refuses a response that is not
// `application/wasm` (the library then falls back to buffering the bytes,
// which would hide a broken streaming path).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFile, stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  // Model files, for the tests that load them by URL.
  ".json": "application/json",
  ".bin": "application/octet-stream",
};

/** A running server; `close()` also drops keep-alive connections so afterAll never hangs. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves `mounts`: URL prefix (e.g. "/dist/") -> folder on disk.
 * @throws when the server cannot listen.
 */
export async function serveStatic(mounts: Readonly<Record<string, string>>): Promise<StaticServer> {
  const roots = Object.entries(mounts).map(([prefix, dir]) => ({ prefix, dir: resolve(dir) }));

  // Resolves a URL path to a file inside one mounted folder, or null.
  function fileFor(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes("\0") || !(extname(decoded) in CONTENT_TYPES)) return null;
    for (const { prefix, dir } of roots) {
      if (!decoded.startsWith(prefix)) continue;
      const file = resolve(dir, "." + sep + decoded.slice(prefix.length));
      // Checked after resolving, so encoded and doubled separators cannot escape either.
      return file.startsWith(dir + sep) ? file : null;
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? "").split("?")[0]!;
    const file = req.method === "GET" || req.method === "HEAD" ? fileFor(pathname) : null;
    const body = file !== null && (await stat(file).catch(() => null))?.isFile() ? await readFile(file) : null;
    if (file === null || body === null) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`not found: ${pathname}\n`);
      return;
    }
    res.writeHead(200, {
      "content-type": CONTENT_TYPES[extname(file)]!,
      "content-length": body.length,
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(String(e));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok, fail) => {
      server.closeAllConnections();
      server.close((e) => (e ? fail(e) : ok()));
    }),
  };
}
