// Chooses, loads and remembers the backend. Everything above src/backend/
// reaches the kernels through `getBackend()`, so "init() not called yet" and
// "init() switched backend under a live model" are each checked in one place.

import { BackendError, ConfigError, messageOf } from "../errors.js";
import { Arena } from "../memory.js";
import { detectRelaxedSimd, detectSimd, enableNodeRelaxedSimdFlag } from "./features.js";
import type { BackendName, Kernels } from "./kernels.js";
import { createWasmKernels } from "./wasm.js";
import type { WasmVariant } from "../platform/variant.js";

export type { WasmVariant };

/** Where init() may take the wasm binary from. */
export type WasmSource = WebAssembly.Module | BufferSource | Response | URL | string;

/** Options of {@link init}. */
export interface InitOptions {
  /**
   * Which backend to run. `"auto"` (default): relaxed-SIMD wasm if the runtime
   * validates it (and, on the Node entry, its multiply-add fuses: not in Bun),
   * else SIMD, else scalar wasm. `"js"`: the plain-JS backend
   * (no WebAssembly needed).
   */
  backend?: "auto" | WasmVariant | "js";
  /**
   * The wasm binary: a compiled `WebAssembly.Module` (the only form edge
   * runtimes take, as they cannot compile bytes; it is used as is), bytes or a `Response`
   * (compiled), or a URL (fetched; on Node, `file:` URLs are read from disk).
   * Each binary knows which build it is: with `backend` "auto" (or omitted)
   * that build is used, whichever it is; with an explicit `backend` it must
   * be that build. Without it, the platform entry loads
   * `dist/wasm/<variant>.wasm`.
   */
  wasm?: WasmSource;
  /**
   * Node 20 only: turn on V8's `--experimental-wasm-relaxed-simd` before
   * compiling, so the relaxed-SIMD binary can run. Off unless asked for.
   */
  nodeRelaxedSimdFlag?: boolean;
  /**
   * Threads the wasm kernels run on: a count (1 = the calling thread alone,
   * the default) or `"auto"` (the machine's cores, at most 8). Above 1, the
   * threaded build of the chosen binary runs on a shared memory, large GEMM
   * and Conv2D calls split across a worker pool, bit-identical to one
   * thread; `capabilities()` says how many threads run and why. Node, and
   * browser pages that are cross-origin isolated (served with
   * `Cross-Origin-Opener-Policy: same-origin` and
   * `Cross-Origin-Embedder-Policy: require-corp`); other pages, edge
   * runtimes and the JS or scalar backends run on one thread and say so.
   */
  threads?: number | "auto";
}

/** What {@link capabilities} reports. */
export interface Capabilities {
  /** The backend init() loaded; for wasm, the build the binary says it is (its build id), never just a label. */
  backend: BackendName;
  /** The runtime can run WebAssembly SIMD (whether or not the chosen backend uses it). */
  simd: boolean;
  /** The runtime can run relaxed SIMD (with `backend: "auto"` chosen only where its multiply-add fuses). */
  relaxedSimd: boolean;
  /** Threads the kernels run on (1: the calling thread alone). */
  threads: number;
  /**
   * The wasm binary loaded (`"relaxed-simd-threads"` for dist/wasm/relaxed-simd-threads.wasm), or null for the JS
   * backend. In a browser `"<build>-inference"`: the training half follows on a model's first compile.
   */
  binary: string | null;
  /** A sentence saying why this backend was chosen. */
  reason: string;
}

/** Loads the binary of one variant; set by the platform entry (node: from disk, browser: fetch). */
export type WasmLoader = (variant: WasmVariant) => Promise<WebAssembly.Module | BufferSource | Response>;

/** A live backend: the kernels and the arena over their memory. Compared by identity. */
export interface Backend {
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** A model now runs on this backend (a threaded backend counts them, see release). */
  retain?(): void;
  /** A model was disposed: the threaded backend stops its pool after the last one. */
  release?(): void;
}

export interface State extends Backend {
  readonly capabilities: Capabilities;
  /** Stops the worker pool, if any (a second init, the last model's dispose). */
  stop?(): void;
}

let current: State | null = null;
let loader: WasmLoader | null = null;
let urlReader: UrlReader | null = null;

/**
 * Reads a binary from a URL the platform's fetch cannot: Node's fetch has
 * no `file:` scheme, so the node entry reads those from disk. Returns null
 * for URLs it leaves to fetch.
 */
export type UrlReader = (url: URL) => Promise<Uint8Array> | null;

/** Set by the node entry (file: URLs); other entries leave every URL to fetch. */
export function setUrlReader(read: UrlReader | null): void {
  urlReader = read;
}

/**
 * Tells init() how to fetch a wasm binary when the caller passes none. The
 * node, browser, workerd and edge-light entry files call this (the edge
 * ones hand out the WebAssembly.Module objects they import).
 */
export function setWasmLoader(load: WasmLoader | null): void {
  loader = load;
}

let fusedMaddProbe: (() => boolean) | null = null;

/**
 * Starts the threaded backend for init({ threads }) (Node: worker_threads;
 * browsers: Web Workers; each in a chunk loaded on use), or says why it
 * cannot; set by the node and browser entries, so the edge ones carry no
 * thread code. `single` is the one-thread
 * backend's capabilities, which the caller keeps when a string comes back.
 */
export type StartThreads = (kernels: Kernels, single: Capabilities, asked: number | "auto", ownBinary: boolean) =>
  Promise<State | string>;
let startThreads: StartThreads | null = null;

/** Lets init({ threads }) run more than one thread on this platform. */
export function setThreadStarter(start: StartThreads | null): void {
  startThreads = start;
}

/**
 * Tells init() how to learn whether relaxed SIMD's multiply-add fuses here
 * (relaxed SIMD is worth it only then). The node entry sets it, as Node,
 * Deno and Bun load that entry and Bun's engine does not fuse; browsers and
 * edge runtimes that run relaxed SIMD fuse, so their entries carry no probe.
 */
export function setFusedMaddProbe(probe: (() => boolean) | null): void {
  fusedMaddProbe = probe;
}

/**
 * Loads a backend. Call once before building models; call again to switch
 * (models and tensors made on the previous backend then refuse to run).
 * @example
 * await init();                          // best wasm variant this runtime runs
 * await init({ backend: "js" });         // plain JavaScript, no WebAssembly
 * await init({ wasm: module });          // edge runtimes: a precompiled module, whichever build it is
 * await init({ threads: 2 });            // large calls split over a worker, results bit-identical
 * console.log(capabilities().reason);
 * @throws {BackendError} when the requested variant cannot run here (the
 *   message names the one that would), when the `wasm` binary is another
 *   build than the `backend` requested (the message names both), when WebAssembly is unavailable and
 *   a wasm backend was requested, or when no binary can be loaded.
 * @throws {ConfigError} for an unknown option (a typo), or `threads` not a count >= 1 or "auto".
 */
export async function init(options: InitOptions = {}): Promise<Capabilities> {
  checkInitOptions(options);
  // A second init() ends the previous backend's workers.
  current?.stop?.();
  const requested = options.backend ?? "auto";
  const allowed = ["auto", "relaxed-simd", "simd", "scalar", "js"];
  if (!allowed.includes(requested)) {
    throw new BackendError(`init: unknown backend '${String(requested)}'; expected one of ${allowed.join(", ")}`);
  }
  let flagNote = "";
  if (options.nodeRelaxedSimdFlag === true) {
    flagNote = enableNodeRelaxedSimdFlag()
      ? " (after enabling V8's --experimental-wasm-relaxed-simd as asked)"
      : " (nodeRelaxedSimdFlag was set but the flag could not be enabled here)";
  }
  const hasWasm = typeof WebAssembly === "object" && typeof WebAssembly.validate === "function";
  const simd = hasWasm && detectSimd();
  const relaxedSimd = hasWasm && detectRelaxedSimd();
  // Relaxed SIMD pays only where its madd fuses; the probe compiles a tiny
  // module, so it runs only when init() picks the build itself.
  const unfused = requested === "auto" && options.wasm === undefined && relaxedSimd && fusedMaddProbe?.() === false;
  const best: WasmVariant = relaxedSimd && !unfused ? "relaxed-simd" : simd ? "simd" : "scalar";

  let kernels: Kernels;
  let reason: string;
  if (requested === "js") {
    kernels = await createJsBackend();
    reason = "The plain-JS backend was requested.";
  } else if (!hasWasm) {
    if (requested !== "auto") {
      throw new BackendError(`init: backend '${requested}' needs WebAssembly, which this runtime lacks; ` +
        `use init({ backend: "js" })`);
    }
    kernels = await createJsBackend();
    reason = "WebAssembly is unavailable in this runtime, so the plain-JS backend was chosen.";
  } else if (requested === "auto" && options.wasm !== undefined) {
    // The caller's binary says which build it is.
    kernels = await loadWasm(null, await resolveSource(options.wasm));
    reason = `The wasm binary passed to init() is the '${kernels.name}' build${flagNote}.`;
  } else {
    let variant: WasmVariant;
    if (requested === "auto") {
      variant = best;
      reason = variant === "relaxed-simd"
        ? `The runtime validates relaxed SIMD${flagNote}, the fastest build (fused multiply-add).`
        : unfused
          ? `The runtime validates relaxed SIMD${flagNote}, but its multiply-add does not fuse, so the SIMD build was chosen.`
        : variant === "simd"
          ? `The runtime validates SIMD but not relaxed SIMD${flagNote}, so the SIMD build was chosen` +
            (options.nodeRelaxedSimdFlag !== true && isNode()
              ? " (on Node 20, init({ nodeRelaxedSimdFlag: true }) enables relaxed SIMD)." : ".")
          : `The runtime validates neither SIMD nor relaxed SIMD${flagNote}, so the scalar wasm build was chosen.`;
    } else {
      variant = requested;
      const runnable = variant === "relaxed-simd" ? relaxedSimd : variant === "simd" ? simd : true;
      // A precompiled Module was validated by whoever compiled it; its build id is checked below.
      if (!runnable && !(options.wasm instanceof WebAssembly.Module)) {
        const hint = variant === "relaxed-simd" && options.nodeRelaxedSimdFlag !== true && isNode()
          ? ` (on Node 20 pass { nodeRelaxedSimdFlag: true })` : "";
        throw new BackendError(`init: this runtime cannot run the '${variant}' wasm build${hint}; ` +
          `init({ backend: "${best}" }) would work (or omit backend to pick it automatically)`);
      }
      reason = `The '${variant}' wasm build was requested${flagNote}.`;
    }
    const binary = options.wasm === undefined ? await loadDefault(variant) : await resolveSource(options.wasm);
    kernels = await loadWasm(variant, binary);
    if (kernels.name !== variant) {
      // The binary's build id disagrees with the label: never report, or
      // trust, a binary as something it is not.
      const fix = options.wasm === undefined
        ? `the platform's wasm/${variant}.wasm holds another build (reinstall simdcnn)`
        : `pass init({ backend: "${kernels.name}" }) for it, or omit backend to take the binary as it is`;
      throw new BackendError(`init: backend '${variant}' was ${requested === "auto" ? "chosen" : "requested"}, ` +
        `but the wasm binary ${options.wasm === undefined ? "loaded" : "passed"} is the '${kernels.name}' build; ${fix}`);
    }
  }
  const capabilities: Capabilities = {
    backend: kernels.name, simd, relaxedSimd, threads: 1, binary: kernels.name === "js" ? null : kernels.trainable ? kernels.name : `${kernels.name}-inference`, reason,
  };
  const asked = options.threads ?? 1;
  const started = asked === 1 ? "" : startThreads === null ? "no worker threads on this platform"
    : await startThreads(kernels, capabilities, asked, options.wasm !== undefined);
  if (typeof started !== "string") {
    current = started;
    return { ...started.capabilities };
  }
  if (started) capabilities.reason += ` It runs on one thread, not ${asked}: ${started}.`;
  current = { kernels, arena: new Arena(kernels.memory, kernels.heapBase), capabilities };
  return { ...capabilities };
}

/**
 * The plain-JS backend, imported when chosen: a wasm user's first load
 * (the browser bundle) does not carry it, since bundlers and rollup split a
 * dynamic import into its own chunk (docs/architecture.md, "The package").
 */
async function createJsBackend(): Promise<Kernels> {
  const { createJsKernels } = await import("./js.js");
  return createJsKernels();
}

async function readUrl(source: string | URL): Promise<Uint8Array | Response> {
  let url: URL | null = null;
  try {
    url = new URL(source);
  } catch {
    // Relative: only fetch knows the base (the page, in a browser).
  }
  const read = url === null ? null : urlReader?.(url);
  if (read) {
    try {
      return await read;
    } catch (e) {
      throw new BackendError(`init: reading the wasm binary ${String(source)} failed: ` +
        `${messageOf(e)}`);
    }
  }
  return fetchWasm(source, `the wasm binary ${String(source)}`);
}

/**
 * fetch() that turns a network error or an HTTP error status into a
 * BackendError saying what was fetched (`what`), why it failed and, after
 * that, `hint`. Shared by init({ wasm: url }) and the browser's default loader.
 */
export async function fetchWasm(url: string | URL, what: string, hint = ""): Promise<Response> {
  const fail = (cause: string): BackendError =>
    new BackendError(`init: fetching ${what} failed: ${cause}${hint === "" ? "" : ` ${hint}`}`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw fail(messageOf(e));
  }
  if (!response.ok) throw fail(`HTTP ${response.status}`);
  return response;
}

/** The binary init() was given: a Module, bytes or a Response as they are, a URL read or fetched. */
async function resolveSource(source: WasmSource): Promise<WebAssembly.Module | BufferSource | Response> {
  return typeof source === "string" || source instanceof URL ? readUrl(source) : source;
}

/** The platform's own binary of `variant` (node: from disk, browser: fetched). */
async function loadDefault(variant: WasmVariant): Promise<WebAssembly.Module | BufferSource | Response> {
  if (loader === null) {
    throw new BackendError(`init: no wasm binary: this entry point has no loader, ` +
      `so pass init({ wasm: module }) with the '${variant}' build, or use init({ backend: "js" }) ` +
      `(on edge runtimes, simdcnn's "workerd" and "edge-light" entries bring their binaries)`);
  }
  try {
    return await loader(variant);
  } catch (e) {
    if (e instanceof BackendError) throw e;
    // E.g. ENOENT when dist/wasm/ did not ship with the bundle.
    throw new BackendError(`init: loading the '${variant}' wasm build failed: ` +
      `${messageOf(e)}`);
  }
}

/** `variant`: the build the binary should be, for the message; null when any will do. */
async function loadWasm(variant: WasmVariant | null, binary: WebAssembly.Module | BufferSource | Response): Promise<Kernels> {
  try {
    return await createWasmKernels(binary);
  } catch (e) {
    if (e instanceof BackendError) throw e;
    const what = variant === null ? "the wasm binary" : `the '${variant}' wasm build`;
    throw new BackendError(`init: could not instantiate ${what}: ${messageOf(e)}`);
  }
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

/**
 * What init() chose and why.
 * @example
 * await init();
 * capabilities(); // { backend: "simd", simd: true, relaxedSimd: false, threads: 1, binary: "simd", reason: "..." }
 * @throws {BackendError} before init() has completed.
 */
export function capabilities(): Capabilities {
  return { ...requireState().capabilities };
}

/** What {@link memory} reports: the arena of the current backend. */
export interface MemoryInfo {
  /** Bytes held by live tensors, weights and planned buffers. */
  bytesInUse: number;
  /** Size of the backend's linear memory in bytes (it only grows). */
  capacityBytes: number;
  /** Number of live blocks in the arena. */
  blocks: number;
}

/**
 * How much of the backend's linear memory is in use (like tfjs' `tf.memory()`):
 * a way to check that nothing leaks.
 * @example
 * const before = memory().bytesInUse;
 * model.predict(x);
 * memory().bytesInUse === before; // true: predict allocates nothing
 * @throws {BackendError} before init().
 */
export function memory(): MemoryInfo {
  const { arena } = requireState();
  return { bytesInUse: arena.bytesInUse(), capacityBytes: arena.capacityBytes(), blocks: arena.liveBlocks() };
}

/** The live backend. @throws {BackendError} before init(). */
export function getBackend(): Backend {
  return requireState();
}

/** The live kernels. @throws {BackendError} before init(). */
export function getKernels(): Kernels {
  return requireState().kernels;
}

/** The live backend, or null before init() (for checks that must not throw). */
export function currentBackend(): Backend | null {
  return current;
}

function requireState(): State {
  if (current === null) throw new BackendError("simdcnn: no backend yet; call `await init()` first");
  return current;
}

/** Most threads init() takes. */
export const MAX_THREADS = 64;

const INIT_KEYS: readonly (keyof InitOptions)[] = ["backend", "wasm", "nodeRelaxedSimdFlag", "threads"];

/** An unknown option (a typo) is an error, not silently ignored. */
function checkInitOptions(options: unknown): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigError(`init: options must be an object, got ${Array.isArray(options) ? "an array" : String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined || (INIT_KEYS as readonly string[]).includes(key)) continue;
    throw new ConfigError(`init: unknown option '${key}'; accepted: ${INIT_KEYS.join(", ")}`);
  }
  const threads = (options as InitOptions).threads;
  if (threads !== undefined && threads !== "auto" && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new ConfigError(`init: threads must be 1 to ${MAX_THREADS} or "auto", got ${String(threads)}`);
  }
}
