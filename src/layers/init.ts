// Weight initialisation, in one place so that a later issue can add the
// Keras initializer options (heNormal, ...) without touching the layers.
// Deterministic: a model built twice from the same layers gets the same
// weights, which keeps tests and examples reproducible.

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG (public domain, Tommy Ettinger). */
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

/** FNV-1a of a string: turns a layer name into a per-layer seed. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Glorot (Xavier) uniform, as Keras' default kernel initializer:
 * U(-limit, limit) with limit = sqrt(6 / (fanIn + fanOut)).
 */
export function glorotUniform(out: Float32Array, offset: number, size: number,
                              fanIn: number, fanOut: number, seed: number): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const random = mulberry32(seed);
  for (let i = 0; i < size; i++) out[offset + i] = (2 * random() - 1) * limit;
}

/** Zeros, Keras' default bias initializer. */
export function zeros(out: Float32Array, offset: number, size: number): void {
  out.fill(0, offset, offset + size);
}
