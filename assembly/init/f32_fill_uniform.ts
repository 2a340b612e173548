// f32-fill-uniform: out[i] = (2u - 1) * limit for the first `length` draws u
// of mulberry32(seed), bit for bit what src/random.ts fillUniform writes
// (u32 arithmetic wraps as Math.imul and `>>> 0` do; the f64 value rounds
// to f32 once, as a Float32Array store does).
//
// Why in wasm: the uniform initializers fill every weight of a new model,
// once, and in JS that loop runs mostly before V8 compiles it (LeNet's 62k
// weights: ~5 ms of a cold start; here well under 0.1 ms).
//
// Contract: out holds `length` floats, written with `=`; no alignment
// requirement; seed is taken modulo 2^32.

export function f32_fill_uniform(out: usize, length: i32, seed: u32, limit: f64): void {
  let a = seed;
  for (let i = 0; i < length; i++) {
    a += 0x6d2b79f5;
    let t = a;
    t = (t ^ (t >>> 15)) * (t | 1);
    t ^= t + (t ^ (t >>> 7)) * (t | 61);
    const u = <f64>(t ^ (t >>> 14)) / 4294967296.0;
    store<f32>(out + (<usize>i << 2), <f32>((2.0 * u - 1.0) * limit));
  }
}
