// Weight initialisation, as tfjs-layers' initializers (names and formulas),
// from a seeded generator: the same seed gives the same weights, run after
// run, on every backend. Variance scaling follows tfjs-layers
// (initializers.ts): 'normal' draws a normal truncated at two standard
// deviations with stddev sqrt(scale / n) (no 0.8796 correction, unlike
// Keras 2), 'uniform' draws U(-limit, limit) with limit sqrt(3 scale / n).

import type { Kernels } from "../backend/kernels.js";
import { ConfigError } from "../errors.js";
import { F32_BYTES } from "../memory.js";
import { mulberry32 } from "../random.js";

/** Initializer names a layer accepts for `kernelInitializer` / `biasInitializer` (tfjs-layers spelling). */
export const INITIALIZER_NAMES = [
  "glorotUniform", "glorotNormal", "heUniform", "heNormal", "lecunUniform", "lecunNormal", "zeros", "ones",
] as const;

/** A weight initializer by name (tfjs-layers spelling). */
export type InitializerName = (typeof INITIALIZER_NAMES)[number];

/** FNV-1a of a string: turns a layer name into a per-layer seed. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Mixes two 32-bit seeds (a model seed and a layer name) into one (FNV-style). */
export function mixSeeds(a: number, b: number): number {
  let h = Math.imul((a >>> 0) ^ 0x9e3779b9, 0x01000193);
  h = Math.imul(h ^ (b >>> 0), 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Validates an initializer option; `where` names the layer and option for the message. */
export function parseInitializer(value: unknown, fallback: InitializerName, where: string): InitializerName {
  const name = value ?? fallback;
  if (typeof name !== "string" || !(INITIALIZER_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`${where}: unknown initializer ${JSON.stringify(value)}; expected one of ` +
      `${INITIALIZER_NAMES.map((n) => `'${n}'`).join(", ")}`);
  }
  return name as InitializerName;
}

/** Validates a seed option (any 32-bit unsigned integer). */
export function parseSeed(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new ConfigError(`${where}: seed must be an integer in [0, 2^32), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Standard normal truncated at +-2 (tf.truncatedNormal: redraw outside two stddevs), Box-Muller. */
function truncatedStandardNormal(random: () => number): number {
  for (;;) {
    // 1 - random() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const z = r * Math.cos(2 * Math.PI * random());
    if (Math.abs(z) <= 2) return z;
  }
}

/**
 * Fills `size` floats at `offset` of `out` with the named initializer.
 * `fanIn` / `fanOut` as Keras computes them (receptive field x channels).
 */
export function initialize(name: InitializerName, kernels: Pick<Kernels, "fillUniform">, out: Float32Array,
                           offset: number, size: number, fanIn: number, fanOut: number, seed: number): void {
  if (name === "zeros" || name === "ones") {
    out.fill(name === "zeros" ? 0 : 1, offset, offset + size);
    return;
  }
  const [scale, n] = name.startsWith("glorot") ? [1, (fanIn + fanOut) / 2]
    : name.startsWith("he") ? [2, fanIn] : [1, fanIn];
  const variance = scale / Math.max(1, n);
  if (name.endsWith("Uniform")) {
    const limit = Math.sqrt(3 * variance);
    kernels.fillUniform((offset * F32_BYTES), size, seed, limit);
  } else {
    const stddev = Math.sqrt(variance);
    const random = mulberry32(seed);
    for (let i = 0; i < size; i++) out[offset + i] = truncatedStandardNormal(random) * stddev;
  }
}
