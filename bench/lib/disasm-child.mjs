// Child of bench/disasm.mjs, started with --print-wasm-code: runs one GEMM
// until V8 tiers its hot functions up to TurboFan (which prints their
// machine code to stdout), then times it and prints one result line.
// Arguments: <wasm file> <m> <k> <n>.

import { readFileSync } from "node:fs";

const [file, m, k, n] = [process.argv[2], ...process.argv.slice(3, 6).map(Number)];
const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
const e = instance.exports;
const base = Math.ceil(e.heapBase() / 16) * 16;
const a = base;
const b = a + m * k * 4;
const packed = b + k * n * 4;
const c = packed + e.gemmPackedSize(k, n) * 4;
const need = c + m * n * 4;
if (e.memory.buffer.byteLength < need) e.memory.grow(Math.ceil((need - e.memory.buffer.byteLength) / 65536));
const f = new Float32Array(e.memory.buffer);
// Small values, no denormals: any fixed data times the same.
for (let i = 0; i < (packed - a) / 4; i++) f[a / 4 + i] = ((i * 7) % 13) / 13 - 0.5;
e.gemmPackB(b, k, n, packed);
const call = () => e.gemm(a, packed, 0, c, m, k, n, 0, 0);
const reps = Math.max(1, Math.round(2e7 / (2 * m * k * n)));
for (let i = 0; i < 200; i++) call(); // past Liftoff: the hot functions are TurboFan code now
let best = Infinity;
for (let r = 0; r < 300; r++) {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) call();
  best = Math.min(best, (performance.now() - t0) / reps);
}
console.log(`@@result ${JSON.stringify({ gflops: (2 * m * k * n) / (best * 1e6) })}`);
