// Node exits on its own: a child process that inits with threads, predicts
// and disposes (or not) must end by itself, with nothing keeping it alive.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

function runChild(dispose: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    import { init, capabilities, Dense, Sequential } from ${JSON.stringify(ENTRY)};
    await init({ backend: "simd", threads: 2 });
    const model = new Sequential([new Dense({ units: 257 })], { inputShape: [300], seed: 1 });
    const y = model.predict(new Float32Array(64 * 300).fill(0.5)).toArray();
    console.log(capabilities().threads, y.length);
    ${dispose ? "model.dispose();" : ""}
  `;
  return new Promise((resolve) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (error as { code?: number }).code ?? null, stdout, stderr: stderr + (error?.message ?? "") });
    });
  });
}

describe("a Node process with a pool", () => {
  it.each([true, false])("exits on its own (dispose: %s)", async (dispose) => {
    const started = Date.now();
    const { code, stdout, stderr } = await runChild(dispose);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`2 ${64 * 257}`);
    // The 20 s kill would have set an error; this says it ended well before.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
