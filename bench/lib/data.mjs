// Deterministic test data and the layout conversions peers need. simdcnn is
// NHWC with Keras kernel layouts; ONNX Runtime wants NCHW and OIHW. Every
// conversion here runs once per workload, outside the timed region.

/**
 * Float32Array of `length` values, uniform in [-scale, scale), from a seeded
 * xorshift32 (Math.random is not seedable; runs must be reproducible).
 */
export function randomArray(length, seed, scale = 1) {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** [n, h, w, c] -> [n, c, h, w]. */
export function nhwcToNchw(x, n, h, w, c) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let ch = 0; ch < c; ch++)
          out[((b * c + ch) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + ch];
  return out;
}

/** [n, c, h, w] -> [n, h, w, c]. */
export function nchwToNhwc(x, n, c, h, w) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++)
          out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx];
  return out;
}

/** Keras conv kernel [kh, kw, cin, cout] -> ONNX [cout, cin, kh, kw]. */
export function hwioToOihw(k, kh, kw, cin, cout) {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * cin + i) * kh + y) * kw + x] = k[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/**
 * Reorders the rows of a dense kernel [h*w*c, units] that follows a Flatten of
 * NHWC data so it computes the same thing after a Flatten of NCHW data.
 */
export function denseRowsHwcToChw(k, h, w, c, units) {
  const out = new Float32Array(k.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < c; ch++) {
        const from = ((y * w + x) * c + ch) * units;
        const to = ((ch * h + y) * w + x) * units;
        out.set(k.subarray(from, from + units), to);
      }
  return out;
}

/** TensorFlow 'same'/'valid' output size and leading padding for one axis. */
export function windowAxis(size, kernel, stride, padding) {
  if (padding === "valid") {
    return { out: Math.floor((size - kernel) / stride) + 1, before: 0, after: 0 };
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  // TensorFlow puts the odd extra row/column at the bottom/right.
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Compares `got` to `want`: ok when the largest difference is within
 * `relTol` of the reference's largest magnitude (loose on purpose: float32
 * sums in different orders differ; a wrong kernel is off by far more).
 */
export function compareOutputs(got, want, relTol = 2e-3) {
  if (!got || got.length !== want.length) {
    return { ok: false, maxErr: Infinity, note: `length ${got ? got.length : "none"} != ${want.length}` };
  }
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= maxErr)) maxErr = Number.isNaN(d) ? Infinity : Math.max(maxErr, d);
    maxRef = Math.max(maxRef, Math.abs(want[i]));
  }
  return { ok: maxErr <= relTol * Math.max(maxRef, 1e-3), maxErr, relErr: maxErr / Math.max(maxRef, 1e-30) };
}
