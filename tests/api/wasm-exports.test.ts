// The bindings table (src/backend/wasm-exports.ts) against the built
// binaries and against fake exports: every export's wasm signature is the
// one its kinds describe, a missing export is named, and the generic
// binders pass a geometry's fields in declaration order.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WindowGeometry } from "../../src/backend/kernels.js";
import {
  bindGeometry, bindWasmExports, GEOMETRY_FIELDS, INFERENCE_EXPORTS, MAX_ARGS_AFTER_GEOMETRY, TRAINING_EXPORTS, WASM_EXPORTS,
  type ExportName, type ExportSig, type ParamKind, type ResultKind,
} from "../../src/backend/wasm-exports.js";
import { WASM_VARIANTS, wasmPath } from "../support/backends.js";

/** Wasm value types by their binary encoding. */
const VALTYPE: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128" };

interface FuncType { params: string[]; results: string[] }

/**
 * The function exports of a binary with their signatures, read from its type,
 * function and export sections (the JS API does not expose signatures).
 */
function functionExports(bytes: Uint8Array): Map<string, FuncType> {
  let pos = 8; // magic + version
  const u32 = (): number => {
    let result = 0, shift = 0, byte: number;
    do {
      byte = bytes[pos++];
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    return result >>> 0;
  };
  const types: FuncType[] = [];
  const funcTypes: number[] = [];
  const exports = new Map<string, FuncType>();
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bytes[pos++] !== 0x60) throw new Error("unexpected type form");
        const params = Array.from({ length: u32() }, () => VALTYPE[bytes[pos++]]);
        const results = Array.from({ length: u32() }, () => VALTYPE[bytes[pos++]]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      // The training halves and the threaded builds import their memory, and nothing else.
      for (let n = u32(); n > 0; n--) {
        for (let part = 0; part < 2; part++) {
          const length = u32(); // module and field names
          pos += length;
        }
        const kind = bytes[pos++];
        if (kind !== 2) throw new Error(`unexpected import of kind ${kind}: this reader shifts no function indices`);
        const flags = bytes[pos++];
        u32();
        if (flags & 1) u32();
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const len = u32();
        const name = new TextDecoder().decode(bytes.subarray(pos, pos + len));
        pos += len;
        const kind = bytes[pos++];
        const index = u32();
        if (kind === 0) exports.set(name, types[funcTypes[index]]);
      }
    }
    pos = end;
  }
  return exports;
}

/** The wasm signature the table says an export has. */
function expected(sig: ExportSig): FuncType {
  const valtype = (kind: ParamKind): string[] =>
    kind === "geometry" ? new Array<string>(GEOMETRY_FIELDS.length).fill("i32")
      : kind === "f32" || kind === "f64" ? [kind] : ["i32"]; // i32, u32, ptr (usize on wasm32)
  const result = (kind: ResultKind): string[] => (kind === "void" ? [] : kind === "f32" || kind === "f64" ? [kind] : ["i32"]);
  return { params: sig.params.flatMap(valtype), results: result(sig.result) };
}

const NAMES = Object.keys(WASM_EXPORTS) as ExportName[];

describe.each(WASM_VARIANTS)("the table against %s.wasm", (variant) => {
  const actual = functionExports(new Uint8Array(readFileSync(wasmPath(variant))));

  it.each(NAMES)("%s: the kinds in the table are the export's wasm signature", (name) => {
    expect(actual.get(name), `${variant}.wasm does not export ${name}`).toBeDefined();
    expect(actual.get(name)).toEqual(expected(WASM_EXPORTS[name]));
  });

  it("every function the binary exports is in the table", () => {
    const untabled = [...actual.keys()].filter((name) => !(name in WASM_EXPORTS));
    expect(untabled, "add these to WASM_EXPORTS in src/backend/wasm-exports.ts").toEqual([]);
  });
});

describe.each(["simd", "relaxed-simd"])("the browser's %s halves", (build) => {
  const exportsOf = (file: string): Map<string, FuncType> =>
    functionExports(new Uint8Array(readFileSync(new URL(`../../dist/wasm/${file}.wasm`, import.meta.url))));

  it("the inference half exports the inference table, with its signatures, and nothing else", () => {
    const actual = exportsOf(`${build}-inference`);
    expect([...actual.keys()].sort()).toEqual(Object.keys(INFERENCE_EXPORTS).sort());
    for (const [name, sig] of Object.entries(INFERENCE_EXPORTS)) expect(actual.get(name), name).toEqual(expected(sig));
  });

  it("the training half exports the training table, buildId and its scratch setters, and nothing else", () => {
    const actual = exportsOf(`${build}-training`);
    const extra = ["buildId", "scratchBytes", "setScratch"];
    expect([...actual.keys()].sort()).toEqual([...Object.keys(TRAINING_EXPORTS), ...extra].sort());
    for (const [name, sig] of Object.entries(TRAINING_EXPORTS)) expect(actual.get(name), name).toEqual(expected(sig));
    expect(actual.get("setScratch")).toEqual({ params: ["i32"], results: [] });
  });
});

describe("bindWasmExports on a half", () => {
  it("an inference half needs only the inference table", () => {
    const exports = fakeExports(Object.keys(TRAINING_EXPORTS));
    expect(() => bindWasmExports(exports)).toThrow("gemmBackwardInput");
    const { bound } = bindWasmExports(exports, "inference");
    expect(bound.conv2dBackwardInput).toBeDefined();
    expect("gemmBackwardFilter" in bound).toBe(false);
  });

  it("a training half needs the training table and buildId, and no memory", () => {
    const exports = fakeExports(["memory", ...Object.keys(INFERENCE_EXPORTS).filter((n) => n !== "buildId")]);
    const { bound } = bindWasmExports(exports, "training");
    expect(bound.gemmBackwardFilter).toBe(exports.gemmBackwardFilter);
    expect("gemm" in bound).toBe(false);
    expect(() => bindWasmExports(fakeExports(["buildId", "sgdUpdate"]), "training"))
      .toThrow("missing export(s) sgdUpdate, buildId");
  });
});

/** Plain JS functions standing in for the wasm exports. */
function fakeExports(omit: readonly string[] = []): WebAssembly.Exports {
  const exports: Record<string, unknown> = { memory: new WebAssembly.Memory({ initial: 1 }) };
  for (const name of NAMES) exports[name] = (...args: number[]) => args.length;
  for (const name of omit) delete exports[name];
  return exports as WebAssembly.Exports;
}

const geometry: WindowGeometry = {
  batch: 1, inHeight: 2, inWidth: 3, inChannels: 4, outHeight: 5, outWidth: 6,
  kernelHeight: 7, kernelWidth: 8, strideHeight: 9, strideWidth: 10, padTop: 11, padLeft: 12,
};

describe("bindWasmExports", () => {
  it("names every missing export, the memory included", () => {
    expect(() => bindWasmExports(fakeExports(["memory", "conv2d", "adamUpdate"])))
      .toThrow("not a simdcnn kernel binary: missing export(s) memory, conv2d, adamUpdate");
  });

  it("binds an export without geometry as the export function itself (no wrapper on the hot path)", () => {
    const exports = fakeExports();
    const { bound } = bindWasmExports(exports);
    expect(bound.gemm).toBe(exports.gemm);
    expect(bound.softmaxCrossEntropy).toBe(exports.softmaxCrossEntropy);
  });

  it("leaves manual entries to wasm.ts", () => {
    const { bound } = bindWasmExports(fakeExports());
    expect("adamUpdate" in bound).toBe(false);
    expect("heapBase" in bound).toBe(false);
  });

  it("unpacks a geometry into its fields in declaration order, then the other arguments", () => {
    const calls: number[][] = [];
    const exports = fakeExports() as Record<string, unknown>;
    exports.conv2d = (...args: number[]) => void calls.push(args);
    const { bound } = bindWasmExports(exports as WebAssembly.Exports);
    bound.conv2d(geometry, 101, 102, 103, 104, 105, 1, 0.5, 106);
    expect(calls).toEqual([[...GEOMETRY_FIELDS.map((f) => geometry[f]), 101, 102, 103, 104, 105, 1, 0.5, 106]]);
  });

  it.each(Array.from({ length: MAX_ARGS_AFTER_GEOMETRY + 1 }, (_, rest) => rest))(
    "the closure for %i arguments after the geometry passes exactly those, and returns the result", (rest) => {
      let seen: number[] = [];
      const f = bindGeometry((...args: number[]) => (seen = args, 42), rest) as (...args: unknown[]) => number;
      const more = Array.from({ length: rest }, (_, i) => 100 + i);
      expect(f(geometry, ...more)).toBe(42);
      expect(f.length).toBe(1 + rest);
      expect(seen).toEqual([...GEOMETRY_FIELDS.map((field) => geometry[field]), ...more]);
    });

  it("a geometry followed by more arguments than any closure takes is refused at bind time", () => {
    expect(() => bindGeometry(() => 0, MAX_ARGS_AFTER_GEOMETRY + 1)).toThrow(/add a case/);
  });
});
