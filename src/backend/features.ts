// WebAssembly feature probes: tiny hand-assembled modules handed to
// `WebAssembly.validate`, which never compiles or runs anything, so the probes
// work where compiling wasm from bytes is forbidden (workerd) and cost
// microseconds. The same technique as GoogleChromeLabs/wasm-feature-detect,
// without the dependency.
//
// No static import of `node:v8` here: this file must load unchanged in
// browsers and edge runtimes.

/** Module header: "\0asm", version 1. */
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const V128 = 0x7b;

/**
 * A module with one function of type (v128 x params) -> v128 whose body is
 * `local.get 0 .. local.get params-1; <opcode>; end`.
 */
function probeModule(params: number, opcode: readonly number[]): Uint8Array<ArrayBuffer> {
  const type = [0x60, params, ...new Array<number>(params).fill(V128), 0x01, V128];
  const typeSection = [0x01, type.length + 1, 0x01, ...type];
  const funcSection = [0x03, 0x02, 0x01, 0x00];
  const gets: number[] = [];
  for (let i = 0; i < params; i++) gets.push(0x20, i);
  const body = [0x00, ...gets, ...opcode, 0x0b];
  const codeSection = [0x0a, body.length + 2, 0x01, body.length, ...body];
  return new Uint8Array([...HEADER, ...typeSection, ...funcSection, ...codeSection]);
}

/** f32x4.mul (0xfd 230): any engine with 128-bit SIMD. */
const SIMD_PROBE = probeModule(2, [0xfd, 0xe6, 0x01]);
/** f32x4.relaxed_madd (0xfd 0x105). */
const RELAXED_SIMD_PROBE = probeModule(3, [0xfd, 0x85, 0x02]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** True when the engine accepts WebAssembly 128-bit SIMD. */
export function detectSimd(): boolean {
  return validates(SIMD_PROBE);
}

/** True when the engine accepts relaxed SIMD (f32x4.relaxed_madd). */
export function detectRelaxedSimd(): boolean {
  return validates(RELAXED_SIMD_PROBE);
}

/**
 * (a, b, c: f32) -> f32: lane 0 of f32x4.relaxed_madd(splat a, splat b, splat c),
 * exported as "f". Compiled, unlike the probes above, so only called where
 * compiling bytes is allowed.
 */
const MADD_MODULE = new Uint8Array([
  ...HEADER,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7d, 0x7d, 0x7d, 0x01, 0x7d, // type: (f32 f32 f32) -> f32
  0x03, 0x02, 0x01, 0x00, // func 0 of that type
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
  0x0a, 0x16, 0x01, 0x14, 0x00, // code: one body of 20 bytes, no locals
  0x20, 0x00, 0xfd, 0x13, 0x20, 0x01, 0xfd, 0x13, 0x20, 0x02, 0xfd, 0x13, // three f32x4.splat
  0xfd, 0x85, 0x02, // f32x4.relaxed_madd
  0xfd, 0x1f, 0x00, // f32x4.extract_lane 0
  0x0b,
]);

/**
 * MADD_MODULE's f(a, b, -(1 + 2^-11)) with a = b = 1 + 2^-12: 2^-24 exactly
 * when the engine's relaxed madd fuses (one rounding), 0 when it rounds a*b
 * first; undefined where bytes cannot be compiled (edge runtimes) or relaxed
 * SIMD does not validate.
 */
export function relaxedMaddProbe(): number | undefined {
  let f: (a: number, b: number, c: number) => number;
  try {
    f = new WebAssembly.Instance(new WebAssembly.Module(MADD_MODULE)).exports.f as typeof f;
  } catch {
    return undefined;
  }
  return f(1 + 2 ** -12, 1 + 2 ** -12, -(1 + 2 ** -11));
}

/**
 * Whether the engine's relaxed madd fuses, which relaxed SIMD leaves to the
 * engine: V8 fuses where the CPU has FMA; JavaScriptCore (Bun 1.4) does not,
 * and there the relaxed build computes what the SIMD one does, a few percent
 * slower (measured). Where nothing can be learned (edge runtimes, which are
 * V8) the answer is yes.
 */
export function detectFusedMadd(): boolean {
  return relaxedMaddProbe() !== 0;
}

/** The part of `node:v8` this file uses. */
export interface V8FlagSetter {
  setFlagsFromString(flags: string): void;
}

interface NodeProcessLike {
  getBuiltinModule?: (id: string) => unknown;
}

/**
 * Node 20 ships relaxed SIMD behind `--experimental-wasm-relaxed-simd`; V8
 * accepts the flag at run time as long as it is set before the module is
 * compiled. Does that, only when called, and reports whether relaxed SIMD
 * validates afterwards. Nothing happens where relaxed SIMD already works
 * (Node 22+, browsers) or where there is no `node:v8` (browsers, workerd).
 *
 * @param v8 the `node:v8` module; when omitted, `process.getBuiltinModule`
 *   (Node 20.16+) is used if present.
 */
export function enableNodeRelaxedSimdFlag(v8?: V8FlagSetter): boolean {
  if (detectRelaxedSimd()) return true;
  let setter = v8;
  if (setter === undefined) {
    const proc = (globalThis as { process?: NodeProcessLike }).process;
    const mod = typeof proc?.getBuiltinModule === "function" ? proc.getBuiltinModule("node:v8") : undefined;
    if (mod && typeof (mod as V8FlagSetter).setFlagsFromString === "function") setter = mod as V8FlagSetter;
  }
  if (setter === undefined) return false;
  try {
    setter.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return detectRelaxedSimd();
}
