// The library's seeded random numbers: mulberry32 (Tommy Ettinger's public
// domain generator; 32-bit state, integer steps only, so every engine and
// the wasm kernel assembly/init/f32_fill_uniform.ts draw the same bits).

/** A generator of floats uniform in [0, 1), fully determined by `seed`. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * out[offset + i] = (2u - 1) * limit for the first `size` draws u of
 * mulberry32(seed): the uniform initializers. The generator's steps are
 * written out in the loop rather than called through the closure: this runs
 * once per model, mostly before V8 has compiled it, and the call per weight
 * doubled its time. The wasm backends run the same steps in wasm
 * (Kernels.fillUniform), bit for bit.
 */
export function fillUniform(out: Float32Array, offset: number, size: number, seed: number, limit: number): void {
  let a = seed >>> 0;
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[offset + i] = (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1) * limit;
  }
}
