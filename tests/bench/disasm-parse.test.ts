import { describe, expect, it } from "vitest";
// @ts-expect-error: plain-JS bench module without types
import { classify, innerLoops, parseDump, readsStack } from "../../bench/lib/disasm-parse.mjs";

/** A --print-wasm-code dump in Node 20's format: one Liftoff and one TurboFan function. */
const DUMP = `--- WebAssembly code ---
name: wasm-function[3]
index: 3
kind: wasm function
compiler: Liftoff
Instructions (size = 8)
0x1000     0  c4e27918c0           vbroadcastss xmm0,[r11+r12*1]
0x1006     6  ebf8                 jmp 0x1000  <+0x0>
--- End code ---
--- WebAssembly code ---
name: wasm-function[7]
index: 7
kind: wasm function
compiler: TurboFan
Instructions (size = 64)
0x2000     0  55                   push rbp
0x2010    10  c4e27918c0           vbroadcastss xmm0,[r11+r12*1]
0x2016    16  c4017a6f2423         vmovdqu xmm2,[r11+r14*1]
0x201c    1c  c5f859ca             vmulps xmm1,xmm0,xmm2
0x2020    20  c5f058db             vaddps xmm3,xmm1,xmm3
0x2024    24  c4e2e9a8dc           vfmadd213ps xmm4,xmm0,xmm2
0x2029    29  4883c604             REX.W addq rsi,0x4
0x202d    2d  3bc8                 cmpl rcx,rax
0x202f    2f  72df                 jc 0x2010  <+0x10>
0x2031    31  c5f811443a10         vmovups [rdx+rdi*1+0x10],xmm0
0x2037    37  c5f857c0             vxorps xmm0,xmm0,xmm0
0x203b    3b  ebc3                 jmp 0x2000  <+0x0>
--- End code ---
`;

describe("bench disasm parser", () => {
  it("keeps only TurboFan functions and reads offsets, mnemonics and branch targets", () => {
    const fns = parseDump(DUMP);
    expect(fns.map((f: { name: string }) => f.name)).toEqual(["wasm-function[7]"]);
    const ins = fns[0].instructions;
    expect(ins).toHaveLength(12);
    expect(ins[6]).toMatchObject({ offset: 0x29, mnemonic: "addq", text: "addq rsi,0x4" });
    expect(ins[8]).toMatchObject({ offset: 0x2f, mnemonic: "jc", target: 0x10 });
  });

  it("classifies loads, stores, broadcasts, arithmetic and integer work", () => {
    const kinds = parseDump(DUMP)[0].instructions.map(classify);
    expect(kinds).toEqual([
      "integer", "broadcast", "vload", "fp", "fp", "fp", "integer", "integer", "branch", "vstore", "vother", "branch",
    ]);
  });

  it("finds the innermost multiplying loop and counts its instructions", () => {
    const [loop, ...rest] = innerLoops(parseDump(DUMP));
    expect(rest).toHaveLength(0); // the outer 0x0..0x3b loop contains the inner one
    expect(loop).toMatchObject({ start: 0x10, end: 0x2f, multiplies: 2, fused: true, copies: 1 });
    expect(loop.counts).toEqual({ broadcast: 1, vload: 1, fp: 3, integer: 2, branch: 1 });
  });

  it("counts the loop's reads of the stack frame (spill reloads), and only those", () => {
    const read = (text: string) => readsStack({ text, mnemonic: text.split(/\s+/)[0] });
    expect(read("movq r11,[rbp-0x40]")).toBe(true);
    expect(read("vmovups xmm3,[rbp-0x50]")).toBe(true);
    expect(read("cmpq rsp,[r15]")).toBe(false);
    expect(read("movq [rbp-0x28],r9")).toBe(false); // a spill store, not a read
    expect(read("vbroadcastss xmm0,[r11+r15*1]")).toBe(false);
    const withSpill = DUMP.replace("0x2029    29  4883c604             REX.W addq rsi,0x4",
      "0x2029    29  4c8b5dc0             REX.W movq r11,[rbp-0x40]");
    expect(innerLoops(parseDump(withSpill))[0].stackReads).toBe(1);
    expect(innerLoops(parseDump(DUMP))[0].stackReads).toBe(0);
  });
});
