// A tiny seeded RNG so every test input is reproducible from its seed.
// mulberry32 (Tommy Ettinger's public-domain generator): 32-bit state,
// good enough statistical quality for test data, and one line of state.
// The same algorithm as src/random.ts, written out again on purpose: the
// weight-fill test (tests/kernels/fill-uniform.test.ts) uses this copy as
// its independent oracle.

export type Rng = () => number;

/** Returns a generator of floats uniform in [0, 1), fully determined by `seed`. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` float32 values uniform in [lo, hi), from `seed`. */
export function randomFloats(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** A stable 32-bit seed derived from a test's name, so each case gets its own data. */
export function seedFrom(text: string): number {
  // FNV-1a
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
