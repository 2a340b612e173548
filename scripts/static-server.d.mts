// Types for scripts/static-server.mjs, which the browser tests import.

/** A running server; `close()` also drops keep-alive connections so afterAll never hangs. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  close(): Promise<void>;
}

/** How to listen: `port` 0 (the default) lets the OS pick; `index` serves index.html for paths ending in "/". */
export interface StaticServerOptions {
  port?: number;
  index?: boolean;
  /** Headers sent with every file (e.g. COOP / COEP for a cross-origin-isolated page). */
  headers?: Readonly<Record<string, string>>;
}

/** Serves `mounts`: URL prefix (e.g. "/dist/") -> folder on disk. */
export function serveStatic(mounts: Readonly<Record<string, string>>, options?: StaticServerOptions): Promise<StaticServer>;
