// The demo (`npm start`) as a user runs it: one epoch saves the LeNet as a
// TensorFlow.js model (model.json + group1-shard1of1.bin), and `--load`
// reads those files back and classifies the test digits exactly as the
// trained model did. `--out` keeps a developer's demo/output/ untouched.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, "..", "..", "demo", "main.mjs");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "simdcnn-demo-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function demo(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [MAIN, "--out", join(dir, "lenet"), ...args], { timeout: 90_000 });
  return stdout;
}

/** From the test accuracy to the speed table: the numbers the model decides (the timings vary). */
const verdicts = (out: string): string => out.slice(out.indexOf("test accuracy:"), out.indexOf("inference ")).replace(/^saved .*\n\n/m, "");

describe("demo/main.mjs", () => {
  it("--epochs 1 saves model.json + group1-shard1of1.bin; --load reads them and classifies the same", async () => {
    const trained = await demo("--epochs", "1");
    const modelDir = join(dir, "lenet");
    expect(trained).toContain(`saved the model to ${join(modelDir, "model.json")} + ${join(modelDir, "group1-shard1of1.bin")}`);
    expect(trained).toMatch(/test accuracy: \d+\.\d+%/);
    const json = JSON.parse(await readFile(join(modelDir, "model.json"), "utf8")) as {
      format: string; modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      trainingConfig?: { loss: string };
    };
    expect(json.format).toBe("layers-model");
    expect(json.weightsManifest[0]!.paths).toEqual(["group1-shard1of1.bin"]);
    expect(json.trainingConfig?.loss).toBe("sparse_categorical_crossentropy");

    const loaded = await demo("--load");
    expect(loaded).toContain(`loaded the trained model from ${join(modelDir, "model.json")}`);
    expect(loaded).not.toContain("saved the model");
    expect(loaded).not.toMatch(/^epoch /m);
    expect(verdicts(loaded)).toBe(verdicts(trained));
    expect(verdicts(trained)).toMatch(/predicted \d/);

    // The files are tfjs' own format: tfjs-layers loads them too.
    await tf.setBackend("cpu");
    const bin = await readFile(join(modelDir, "group1-shard1of1.bin"));
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }));
    expect(theirs.countParams()).toBe(61706);
    theirs.dispose();
  });
});
