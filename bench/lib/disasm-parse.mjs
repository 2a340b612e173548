// Reads V8's --print-wasm-code output (x64) and finds the inner loops of
// the TurboFan-compiled functions: innermost loops (a backward branch with
// no other backward branch inside its range) that multiply. Counts their
// instructions by kind, so a kernel's instruction mix per multiply can be
// read next to its measured speed.

const LINE = /^0x[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(.+)$/;
const TARGET = /<\+0x([0-9a-f]+)>/;

/** The TurboFan functions of a dump: [{ name, instructions: [{ offset, text, mnemonic, target? }] }]. */
export function parseDump(text) {
  const functions = [];
  for (const block of text.split("--- WebAssembly code ---").slice(1)) {
    if (!/^compiler: TurboFan$/m.test(block)) continue;
    const name = /^name: (.+)$/m.exec(block)?.[1] ?? "?";
    const instructions = [];
    for (const line of block.split("\n")) {
      const m = LINE.exec(line.trim());
      if (!m) continue;
      const text = m[2].replace(/^REX\.W\s+/, "").trim();
      const mnemonic = text.split(/\s+/)[0];
      const t = TARGET.exec(text);
      instructions.push({ offset: parseInt(m[1], 16), text, mnemonic, target: t ? parseInt(t[1], 16) : undefined });
    }
    functions.push({ name, instructions });
  }
  return functions;
}

const FP_ARITH = /^v?(mul|add|sub|max|min)ps$|^vfn?m(add|sub)\d+ps$/;
const MULTIPLY = /^v?mulps$|^vfn?m(add|sub)\d+ps$/;
const FUSED = /^vfn?m(add|sub)\d+ps$/;
const BROADCAST = /^vbroadcastss$|^vpbroadcastd$/;
const HAS_MEMORY = /\[/;
const VECTOR = /xmm|ymm/;
const BRANCH = /^j/;

/** The kinds classify() returns. */
export const KINDS = ["broadcast", "vload", "vstore", "fp", "vother", "integer", "branch"];

/** Classifies one instruction: broadcast, vector load, vector store, fp arithmetic, other vector, branch, integer. */
export function classify(ins) {
  const { mnemonic, text } = ins;
  if (BROADCAST.test(mnemonic)) return "broadcast";
  if (FP_ARITH.test(mnemonic)) return "fp";
  if (BRANCH.test(mnemonic)) return "branch";
  if (VECTOR.test(text)) {
    if (HAS_MEMORY.test(text)) {
      const [dst] = text.slice(mnemonic.length).split(",");
      return HAS_MEMORY.test(dst) ? "vstore" : "vload";
    }
    return "vother";
  }
  return "integer";
}

const STACK_SOURCE = /,\s*\[rbp[-+]/;

/**
 * Whether an instruction reads the stack frame (a spilled value or V8's
 * stack-limit address reloaded): `mov r11,[rbp-0x40]`, `vmovups xmm3,[rbp-0x50]`.
 * In a tile loop each one is a load the kernel did not ask for; one extra
 * (the wasm memory base spilled) cost the 2x16 GEMM 13%.
 */
export function readsStack(ins) {
  return STACK_SOURCE.test(ins.text);
}

/** Every loop of a function: [start, end] offsets of a backward branch and its target. */
function loops(fn) {
  return fn.instructions
    .filter((i) => BRANCH.test(i.mnemonic) && i.target !== undefined && i.target <= i.offset)
    .map((i) => ({ start: i.target, end: i.offset }));
}

/**
 * The distinct innermost loops that multiply, across all functions: a
 * TurboFan function holds one copy of a kernel's k-loop per specialisation
 * (activation, full or partial panel), so loops with the same instruction
 * mix (counts by kind) are reported once, with how many copies there are.
 * Returns [{ function, start, end, instructions, counts, multiplies,
 * fused, stackReads, copies }], most multiplies first.
 */
export function innerLoops(functions) {
  const bySignature = new Map();
  for (const fn of functions) {
    const all = loops(fn);
    for (const loop of all) {
      const nested = all.some((o) => o !== loop && o.start >= loop.start && o.end <= loop.end && (o.start !== loop.start || o.end !== loop.end));
      if (nested) continue;
      const body = fn.instructions.filter((i) => i.offset >= loop.start && i.offset <= loop.end);
      const multiplies = body.filter((i) => MULTIPLY.test(i.mnemonic)).length;
      // A reduction loop, not an epilogue or copy loop with a multiply in it.
      if (multiplies === 0 || multiplies * 8 < body.length) continue;
      const counts = {};
      for (const i of body) counts[classify(i)] = (counts[classify(i)] ?? 0) + 1;
      const signature = KINDS.map((k) => counts[k] ?? 0).join(",");
      const seen = bySignature.get(signature);
      if (seen) {
        seen.copies++;
        continue;
      }
      const fused = body.some((i) => FUSED.test(i.mnemonic));
      const stackReads = body.filter(readsStack).length;
      bySignature.set(signature, { function: fn.name, ...loop, instructions: body, counts, multiplies, fused, stackReads, copies: 1 });
    }
  }
  // Most multiplies first, then the tightest body (fewest instructions).
  return [...bySignature.values()].sort((a, b) => b.multiplies - a.multiplies || a.instructions.length - b.instructions.length);
}
