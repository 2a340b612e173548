// The core's 128-bit arithmetic peak, measured in this process: loops of
// independent f32x4 multiply-add chains with no memory traffic, compiled from
// AssemblyScript at bench start (asc, a devDependency; nothing ships). It is
// the yardstick for "close to what one core can do": a kernel row's GFLOP/s
// over this peak is the fraction of the hardware it uses, whatever the clock
// of the (shared, throttled or turbo'd) core is today.
//
// 12 chains: with 4-cycle FMA latency and 2 FMA pipes, 8 independent chains
// already keep both pipes busy; 12 leave slack and fit V8's 15 xmm
// registers. The plain-SIMD loop has 6 multiply chains and 6 add chains
// (the two pipes each, as the GEMM kernel's mul + add use them); a chained
// a*m + c would measure the 6-cycle mul-add latency instead. Each chain
// feeds only itself (a*a, a+a, a*a + a) from zeros passed in as an
// argument: no constant to keep in a register (V8 re-broadcast two splat
// constants every iteration when they were there), nothing to fold, no
// denormals. Here (Zen 3, ~3.15 GHz) both loops reach ~50 GFLOP/s at best:
// 2 pipes x 4 lanes x 2 flops a cycle, either as FMAs or as a mul and an
// add pipe each.

import asc from "assemblyscript/asc";

const CHAINS = 12;

function source(step) {
  const regs = Array.from({ length: CHAINS }, (_, i) => `a${i}`);
  return [
    `export function peak(n: i32, x: f32): f32 {`,
    ...regs.map((r) => `  let ${r} = f32x4.splat(x);`),
    `  for (let i = 0; i < n; i++) {`,
    ...regs.map((r, i) => `    ${r} = ${step(r, i)};`),
    `  }`,
    `  return ${regs.map((r) => `f32x4.extract_lane(${r}, 0)`).join(" + ")};`,
    `}`,
  ].join("\n");
}

/** Each variant's loop body and the flops one iteration does. */
const VARIANTS = {
  relaxed: {
    enable: ["simd", "relaxed-simd"],
    step: (r) => `f32x4.relaxed_madd(${r}, ${r}, ${r})`,
    flops: CHAINS * 4 * 2,
  },
  simd: {
    enable: ["simd"],
    step: (r, i) => (i < CHAINS / 2 ? `f32x4.mul(${r}, ${r})` : `f32x4.add(${r}, ${r})`),
    flops: CHAINS * 4,
  },
};

async function compile(variant) {
  const { enable, step } = VARIANTS[variant];
  const { error, binary, stderr } = await asc.compileString(source(step), {
    optimizeLevel: 3, runtime: "stub", noAssert: true, enable,
  });
  if (error) throw new Error(`asc failed for the ${variant} peak loop: ${error.message}\n${stderr}`);
  const { instance } = await WebAssembly.instantiate(binary, {});
  const { peak } = instance.exports;
  return (n) => peak(n, 0);
}

/**
 * Best GFLOP/s of `rounds` timed runs of ~`ms` each, per variant the runtime
 * validates: { relaxed, simd } in GFLOP/s, or { error } per variant (relaxed fails to compile where the runtime lacks relaxed SIMD).
 */
export async function measurePeak({ rounds = 40, ms = 20 } = {}) {
  const out = {};
  for (const variant of Object.keys(VARIANTS)) {
    try {
      const peak = await compile(variant);
      // Size n so one run takes about `ms` (also warms up past Liftoff).
      let n = 1 << 16;
      for (;;) {
        const t0 = performance.now();
        peak(n);
        const dt = performance.now() - t0;
        if (dt > ms / 4) {
          n = Math.max(1, Math.round((n * ms) / dt));
          break;
        }
        n *= 4;
      }
      let best = Infinity;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        peak(n);
        best = Math.min(best, performance.now() - t0);
      }
      out[variant] = (n * VARIANTS[variant].flops) / (best * 1e6);
    } catch (e) {
      out[variant] = { error: e?.message ?? String(e) };
    }
  }
  return out;
}
