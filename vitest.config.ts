import { defineConfig } from "vitest/config";

// CI reads the pass/fail counts from .vitest-results.json (the json reporter);
// the default reporter stays for humans.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Separate processes: the kernel tests set V8 flags (relaxed SIMD on Node 20)
    // that must not leak into, or depend on, other test files.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-results.json" },
  },
});
