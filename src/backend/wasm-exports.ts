// The one table of the wasm export surface (assembly/inference.ts and
// assembly/backward.ts, the two halves of assembly/index.ts): each export's
// name, parameter kinds and result, written once. Everything else is derived from it:
// - `RawExports`, the TypeScript type of `instance.exports`;
// - the required-exports check (`bindWasmExports` names every missing one);
// - the `Kernels` / `TrainingKernels` methods, bound generically (see below).
//
// Adding an export (a new kernel) is one line in the table of its half
// (INFERENCE_EXPORTS: what predict or evaluate call; TRAINING_EXPORTS:
// what only training calls), e.g.
//
//   addBias: { params: ["ptr", "ptr", "i32", "i32"], result: "void" },
//
// where the key is both the AssemblyScript export name and the `Kernels` /
// `TrainingKernels` method it implements (add the method to the contract in
// kernels.ts / kernels-train.ts and to the JS backend too). Kinds, in the
// AssemblyScript signature's order:
//   i32, u32   an AS i32 / u32 (ids such as ActivationId are i32);
//   f32, f64   an AS f32 / f64;
//   ptr        an AS usize: a byte offset into the exported memory;
//   geometry   a `WindowGeometry` on the TypeScript side, 12 i32 on the
//              AS side in its declaration order (GEOMETRY_FIELDS below);
//              only as the FIRST parameter.
// Results: void, i32, f32, f64, ptr.
// The compiler then checks the new method against the contract: a key that
// is no contract method, a contract method no entry provides, a parameter
// list of another length, or a geometry where the contract has a number (or
// the reverse) fails `tsc`. Numbers of the wrong wasm type (i32 vs f32 vs
// f64) are caught by tests/api/wasm-exports.test.ts, which reads the
// signatures out of the built binaries; it also fails for an AS export that
// has no line here.
//
// Folding in a file of bindings in the older style (a raw-exports
// interface, a required-exports list and hand-written wrappers, e.g. a
// wasm-<family>.ts spread into createWasmKernelsFromInstance): one line here
// per export, then delete the file and its spread; keep a wrapper only if
// it computes something (mark that entry `manual` and move the wrapper into
// wasm.ts, as adamUpdate).
//
// Entries marked `manual: true` get no generated method: wasm.ts reads them
// once (heapBase, buildId) or wraps them in a hand-written adapter where
// there is real logic (adamUpdate: bias corrections in JS f64). Use that only
// for such logic, never to reorder or rename arguments: keep the AS export's
// parameter order the contract's.
//
// How methods are bound, without eval / new Function (edge runtimes forbid
// them): an export without geometry IS the method (the wasm export function
// itself; extra JS arguments are dropped and missing ones become 0, which
// the arity check rules out). An export whose first parameter is a geometry
// gets a closure of its arity that reads the 12 fields directly, so a call
// allocates nothing (no array, no spread).

import type { Kernels, WindowGeometry } from "./kernels.js";

/** How one argument crosses the boundary (see the header). */
export type ParamKind = "i32" | "u32" | "f32" | "f64" | "ptr" | "geometry";
/** What an export returns. */
export type ResultKind = "void" | "i32" | "f32" | "f64" | "ptr";

type ScalarKind = Exclude<ParamKind, "geometry">;

/** One export's signature; a geometry may only come first. */
export interface ExportSig {
  readonly params: readonly ["geometry", ...ScalarKind[]] | readonly ScalarKind[];
  readonly result: ResultKind;
  /** No generated method: wasm.ts uses the raw export itself. */
  readonly manual?: true;
}

/**
 * The inference half: assembly/inference.ts, the browser's first-load
 * binaries (<build>-inference.wasm) and half of every whole binary.
 */
export const INFERENCE_EXPORTS = {
  // ---- read once by wasm.ts (not methods) -------------------------------------------------------------
  heapBase:                  { params: [], result: "ptr", manual: true },
  buildId:                   { params: [], result: "i32", manual: true },
  // ---- forward (assembly/inference.ts) ----------------------------------------------------------------
  gemmPackedSize:            { params: ["i32", "i32"], result: "i32" },
  gemmPackB:                 { params: ["ptr", "i32", "i32", "ptr"], result: "void" },
  gemm:                      { params: ["ptr", "ptr", "ptr", "ptr", "i32", "i32", "i32", "i32", "f32"], result: "void" },
  conv2dPackedSize:          { params: ["i32", "i32", "i32", "i32"], result: "i32" },
  conv2dPackFilter:          { params: ["ptr", "i32", "i32", "i32", "i32", "ptr"], result: "void" },
  conv2dScratchSize:         { params: ["geometry"], result: "i32" },
  conv2d:                    { params: ["geometry", "ptr", "ptr", "ptr", "ptr", "i32", "i32", "f32", "ptr"], result: "void" },
  // Conv2D's input gradient, and so Conv2DTranspose's forward pass.
  conv2dBackwardInput:       { params: ["geometry", "ptr", "ptr", "ptr", "i32", "ptr"], result: "void" },
  conv2dBackwardScratchSize: { params: ["geometry", "i32"], result: "i32" },
  depthwiseConv2d:           { params: ["geometry", "i32", "i32", "ptr", "ptr", "ptr", "ptr", "i32", "i32", "f32"], result: "void" },
  maxPool2d:                 { params: ["geometry", "ptr", "ptr"], result: "void" },
  avgPool2d:                 { params: ["geometry", "ptr", "ptr"], result: "void" },
  globalAvgPool2d:           { params: ["i32", "i32", "i32", "i32", "ptr", "ptr"], result: "void" },
  activation:                { params: ["ptr", "ptr", "i32", "i32", "f32"], result: "void" },
  softmax:                   { params: ["ptr", "ptr", "i32", "i32"], result: "void" },
  fillUniform:               { params: ["ptr", "i32", "u32", "f64"], result: "void" },
  // ---- element-wise (assembly/elementwise/) -----------------------------------------------------------
  binary:                    { params: ["i32", "ptr", "ptr", "ptr", "i32"], result: "void" },
  scale:                     { params: ["ptr", "ptr", "i32", "f32"], result: "void" },
  copyRows:                  { params: ["ptr", "ptr", "i32", "i32", "i32", "i32"], result: "void" },
  // ---- BatchNorm at inference (assembly/norm/) ----------------------------------------------------------
  channelAffine:             { params: ["ptr", "ptr", "ptr", "ptr", "i32", "i32", "i32", "i32", "f32"], result: "void" },
} as const satisfies Record<string, ExportSig>;

/**
 * The training half: assembly/backward.ts, the training companions
 * (<build>-training.wasm, which also export buildId, scratchBytes and
 * setScratch) and the other half of every whole binary.
 */
export const TRAINING_EXPORTS = {
  // ---- forward-time, but only while training (dropout, BatchNorm's batch statistics, the divergence check)
  maximumBackward:           { params: ["ptr", "ptr", "ptr", "ptr", "i32"], result: "void" },
  dropoutForward:            { params: ["ptr", "ptr", "ptr", "i32", "u32", "f64"], result: "void" },
  softmaxBackward:           { params: ["ptr", "ptr", "ptr", "i32", "i32"], result: "void" },
  firstNonFinite:            { params: ["ptr", "i32"], result: "i32" },
  channelMoments:            { params: ["ptr", "i32", "i32", "i32", "ptr", "ptr"], result: "void" },
  batchNormBackward:         { params: ["ptr", "ptr", "ptr", "ptr", "ptr", "ptr", "ptr", "ptr", "i32", "i32", "i32"],
                               result: "void" },
  // ---- backward passes ------------------------------------------------------------------------------------
  gemmBackwardInput:         { params: ["ptr", "ptr", "ptr", "i32", "i32", "i32"], result: "void" },
  gemmBackwardFilter:        { params: ["ptr", "ptr", "ptr", "ptr", "i32", "i32", "i32"], result: "void" },
  biasBackward:              { params: ["ptr", "ptr", "i32", "i32"], result: "void" },
  conv2dBackwardFilter:      { params: ["geometry", "ptr", "ptr", "ptr", "ptr", "i32"], result: "void" },
  depthwiseConv2dBackwardInput:  { params: ["geometry", "i32", "i32", "ptr", "ptr", "ptr", "i32"], result: "void" },
  depthwiseConv2dBackwardFilter: { params: ["geometry", "i32", "i32", "ptr", "ptr", "ptr", "ptr", "i32"], result: "void" },
  maxPool2dBackward:         { params: ["geometry", "ptr", "ptr", "ptr"], result: "void" },
  avgPool2dBackward:         { params: ["geometry", "ptr", "ptr"], result: "void" },
  globalAvgPool2dBackward:   { params: ["i32", "i32", "i32", "i32", "ptr", "ptr"], result: "void" },
  activationBackward:        { params: ["ptr", "ptr", "ptr", "i32", "i32", "f32"], result: "void" },
  // ---- losses: the batch's mean loss, and its gradient ---------------------------------------------------
  softmaxCrossEntropy:       { params: ["ptr", "ptr", "ptr", "i32", "i32"], result: "f64" },
  sparseSoftmaxCrossEntropy: { params: ["ptr", "ptr", "ptr", "i32", "i32"], result: "f64" },
  sigmoidBinaryCrossEntropy: { params: ["ptr", "ptr", "ptr", "i32", "i32"], result: "f64" },
  meanSquaredError:          { params: ["ptr", "ptr", "ptr", "i32", "i32"], result: "f64" },
  // ---- optimizer updates ---------------------------------------------------------------------------------
  sgdUpdate:                 { params: ["ptr", "ptr", "ptr", "i32", "f64", "f64"], result: "void" },
  // (w, g, m, v, length, beta1, beta2, epsilon, lrHat, rsc2): wasm.ts computes the last two.
  adamUpdate:                { params: ["ptr", "ptr", "ptr", "ptr", "i32", "f64", "f64", "f64", "f64", "f64"], result: "void",
                               manual: true },
} as const satisfies Record<string, ExportSig>;

/** Every export of a whole binary (index.ts): both halves. */
export const WASM_EXPORTS = { ...INFERENCE_EXPORTS, ...TRAINING_EXPORTS };

/** The order a geometry's fields are passed in: `WindowGeometry`'s declaration order. */
export const GEOMETRY_FIELDS = [
  "batch", "inHeight", "inWidth", "inChannels", "outHeight", "outWidth",
  "kernelHeight", "kernelWidth", "strideHeight", "strideWidth", "padTop", "padLeft",
] as const satisfies readonly (keyof WindowGeometry)[];

// ---- Derived types ---------------------------------------------------------------------------------

type Table = typeof WASM_EXPORTS;
export type ExportName = keyof Table;

type Geometry12 = [
  batch: number, inHeight: number, inWidth: number, inChannels: number, outHeight: number, outWidth: number,
  kernelHeight: number, kernelWidth: number, strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
];
/** The wasm-side parameters: a geometry is 12 numbers, everything else one. */
type RawParams<P> = P extends readonly [infer H, ...infer R]
  ? H extends "geometry" ? [...Geometry12, ...RawParams<R>] : [number, ...RawParams<R>]
  : [];
/** The contract-side parameters: a geometry is one `WindowGeometry`. */
type BoundParams<P> = P extends readonly [infer H, ...infer R]
  ? [H extends "geometry" ? WindowGeometry : number, ...BoundParams<R>]
  : [];
type Result<R> = R extends "void" ? void : number;

/** `instance.exports` of a simdcnn kernel binary, as the table describes it. */
export type RawExports = { readonly memory: WebAssembly.Memory } & {
  readonly [K in ExportName]: (...args: RawParams<Table[K]["params"]>) => Result<Table[K]["result"]>;
};

type ManualName = { [K in ExportName]: Table[K] extends { manual: true } ? K : never }[ExportName];
/** The generated `Kernels` / `TrainingKernels` methods. */
export type BoundExports = {
  readonly [K in Exclude<ExportName, ManualName>]: (...args: BoundParams<Table[K]["params"]>) => Result<Table[K]["result"]>;
};

// ---- Compile-time checks against the contract ---------------------------------------------------
// Assigning the bound methods to a `Kernels` object (wasm.ts) checks each
// parameter's type and that no contract method is left out; these two
// catch what assignability lets through. A failure names the export.

/** Fails to compile (naming the key) unless T is never. */
type MustBeNever<T extends never> = T;
type ContractParams<K> = K extends keyof Kernels
  ? Kernels[K] extends (...args: infer P) => unknown ? Required<P> : never
  : never;
type ArityMismatch = {
  [K in keyof BoundExports]: Parameters<BoundExports[K]>["length"] extends ContractParams<K>["length"]
    ? ContractParams<K>["length"] extends Parameters<BoundExports[K]>["length"] ? never : K
    : K;
}[keyof BoundExports];
/** A generated method must be a contract method (a typo in the table is no silent extra export). */
export type TableKeysAreContractMethods = MustBeNever<Exclude<keyof BoundExports, keyof Kernels>>;
/** ...of the same arity (a shorter function would otherwise be assignable). */
export type TableAritiesMatchContract = MustBeNever<ArityMismatch>;
/** The geometry order names every field once. */
export type GeometryFieldsComplete = MustBeNever<Exclude<keyof WindowGeometry, (typeof GEOMETRY_FIELDS)[number]>>;

// ---- Binding ---------------------------------------------------------------------------------------

const EXPORT_NAMES = Object.keys(WASM_EXPORTS) as ExportName[];

type WasmFunction = (...args: number[]) => number | undefined;
type Bound = (...args: never[]) => number | undefined;

/** Longest parameter list after a geometry that `bindGeometry` has a closure for. */
export const MAX_ARGS_AFTER_GEOMETRY = 10;

/**
 * A closure of arity 1 + `rest` that passes a geometry's 12 fields, then the
 * `rest` numbers, to `w`. One literal per arity: no per-call array or spread.
 */
export function bindGeometry(w: WasmFunction, rest: number): Bound {
  switch (rest) {
    case 0: return (g: WindowGeometry) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft);
    case 1: return (g: WindowGeometry, a: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a);
    case 2: return (g: WindowGeometry, a: number, b: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b);
    case 3: return (g: WindowGeometry, a: number, b: number, c: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c);
    case 4: return (g: WindowGeometry, a: number, b: number, c: number, d: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d);
    case 5: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e);
    case 6: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number, h: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e, h);
    case 7: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number, h: number, i: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e, h, i);
    case 8: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number, h: number, i: number, j: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e, h, i, j);
    case 9: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number, h: number, i: number, j: number, k: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e, h, i, j, k);
    case 10: return (g: WindowGeometry, a: number, b: number, c: number, d: number, e: number, h: number, i: number, j: number, k: number, l: number) => w(
      g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth,
      g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, a, b, c, d, e, h, i, j, k, l);
    default:
      throw new Error(`bindGeometry: ${rest} arguments after a geometry; at most ${MAX_ARGS_AFTER_GEOMETRY} ` +
        `have a closure (add a case)`);
  }
}

/** Which exports a binary has: a whole one (index.ts) or one of the browser's two halves. */
export type BinaryHalf = "whole" | "inference" | "training";

const TRAINING_NAMES = new Set<string>(Object.keys(TRAINING_EXPORTS));

/** The table's names a binary of `half` must export. */
function namesOf(half: BinaryHalf): ExportName[] {
  return half === "whole" ? EXPORT_NAMES
    : half === "inference" ? EXPORT_NAMES.filter((name) => !TRAINING_NAMES.has(name))
    : [...EXPORT_NAMES.filter((name) => TRAINING_NAMES.has(name)), "buildId"];
}

/**
 * Checks that `exports` has every export of the table that a binary of
 * `half` has (and the memory, but for a training half, whose memory is the
 * inference half's) and binds the generated methods.
 * @returns `raw`: the exports, typed (a half's only its own are there);
 *   `bound`: the methods of the contract that need no hand-written adapter
 *   (a half's only).
 * @throws Error naming every missing export (a binary older or newer than
 *   this table, or no simdcnn binary at all).
 * @example
 * const { raw, bound } = bindWasmExports(instance.exports);
 * bound.conv2d(g, x, packedW, bias, y, outChannels, act, alpha, scratch);
 */
export function bindWasmExports(exports: WebAssembly.Exports, half: BinaryHalf = "whole"):
    { raw: RawExports; bound: BoundExports } {
  const names = namesOf(half);
  const missing: string[] = [];
  if (half !== "training" && !(exports.memory instanceof WebAssembly.Memory)) missing.push("memory");
  for (const name of names) if (typeof exports[name] !== "function") missing.push(name);
  if (missing.length > 0) {
    throw new Error(`not a simdcnn kernel binary: missing export(s) ${missing.join(", ")}`);
  }
  const bound: Partial<Record<ExportName, Bound>> = {};
  for (const name of names) {
    const sig: ExportSig = WASM_EXPORTS[name];
    if (sig.manual) continue;
    const w = exports[name] as WasmFunction;
    bound[name] = sig.params[0] === "geometry" ? bindGeometry(w, sig.params.length - 1) : w;
  }
  return { raw: exports as unknown as RawExports, bound: bound as unknown as BoundExports };
}
