// The CPU as the report names it. os.cpus() says only "AMD EPYC" on these
// VMs; the family and model numbers tell the generation (family 25 model 1
// is Zen 3 "Milan", which has no AVX-512; Zen 4 parts are model 0x10 and up).

import os from "node:os";
import { readFileSync } from "node:fs";

export function cpuDescription() {
  const name = os.cpus()[0]?.model?.trim() || "unknown cpu";
  let info = "";
  try {
    info = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return name; // not Linux: the model string is all there is
  }
  const field = (key) => info.match(new RegExp(`^${key}\\s*:\\s*(.+)$`, "m"))?.[1]?.trim();
  const family = field("cpu family");
  const model = field("model");
  const avx512 = / avx512f /.test(` ${field("flags") ?? ""} `) ? "AVX-512" : "no AVX-512";
  return family && model ? `${name} (family ${family} model ${model}, ${avx512})` : name;
}
