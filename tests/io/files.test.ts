// Model files where they live: save("file://dir") on Node writes tfjs-node's
// model.json + group1-shard1of1.bin; loadModel reads them back from a path,
// a file:// string or URL, File objects, and over HTTP (a local server);
// broken or missing files fail naming the file.
import { mkdtemp, readFile, rm, writeFile, unlink } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfigError, Conv2D, Dense, Flatten, init, loadModel, ModelFormatError, Sequential, type Tensor,
} from "../../src/index.node.js";
import { setFileSystem } from "../../src/io/hooks.js";
import { nodeFileSystem } from "../../src/platform/node.js";
import { seedWeights, uniform } from "./models.js";

let dir: string;
let server: Server;
let base: string;
const x = uniform(2 * 4 * 4 * 2, 7);
let expected: Float32Array;

function build(): Sequential {
  const m = new Sequential([
    new Conv2D({ filters: 2, kernelSize: 3, activation: "relu" }), new Flatten(), new Dense({ units: 3, activation: "softmax" }),
  ], { inputShape: [4, 4, 2] });
  seedWeights(m, 9);
  return m;
}

beforeAll(async () => {
  await init({ backend: "js" });
  dir = await mkdtemp(join(tmpdir(), "simdcnn-files-"));
  server = createServer((req, res) => {
    readFile(join(dir, decodeURIComponent(new URL(req.url!, "http://x").pathname)))
      .then((b) => res.end(b), () => { res.statusCode = 404; res.end("not found"); });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("save to file:// and load back", () => {
  it("writes model.json and group1-shard1of1.bin and returns their paths", async () => {
    const model = build();
    expected = model.predict(x).toArray();
    const out = join(dir, "m1");
    const saved = await model.save(`file://${out}`);
    expect(saved.files).toEqual([join(out, "model.json"), join(out, "group1-shard1of1.bin")]);
    const json = JSON.parse(await readFile(saved.files[0]!, "utf8")) as typeof saved.modelJson;
    expect(json.weightsManifest[0]!.paths).toEqual(["group1-shard1of1.bin"]);
    expect((await readFile(saved.files[1]!)).byteLength).toBe(saved.weights.byteLength);
    model.dispose();
  });

  it.each([
    ["a path", () => join(dir, "m1", "model.json")],
    ["a file:// string", () => `file://${join(dir, "m1", "model.json")}`],
    ["a file: URL", () => pathToFileURL(join(dir, "m1", "model.json"))],
    ["an http URL", () => `${base}/m1/model.json`],
    ["an http URL object", () => new URL(`${base}/m1/model.json`)],
  ])("loads from %s", async (_name, where) => {
    const model = await loadModel(where());
    expect((model.predict(x) as Tensor).toArray()).toEqual(expected);
    model.dispose();
  });

  it("loads from File objects (an array or a FileList), matched by name", async () => {
    const files = [
      new File([await readFile(join(dir, "m1", "group1-shard1of1.bin"))], "group1-shard1of1.bin"),
      new File([await readFile(join(dir, "m1", "model.json"))], "model.json"),
    ];
    const a = await loadModel(files);
    expect((a.predict(x) as Tensor).toArray()).toEqual(expected);
    const b = await loadModel({ length: 2, 0: files[0]!, 1: files[1]!, item: (i: number) => files[i] } as unknown as FileList);
    expect((b.predict(x) as Tensor).toArray()).toEqual(expected);
    a.dispose();
    b.dispose();
    await expect(loadModel([files[1]!])).rejects.toThrow(/^group1-shard1of1\.bin: model\.json lists this weights shard, but no file/);
    await expect(loadModel([files[0]!])).rejects.toThrow(/^files: no \.json file among the files given/);
  });

  it("keeps the training setup through files", async () => {
    const model = build();
    model.compile({ optimizer: "adam", loss: "categoricalCrossentropy" });
    model.trainOnBatch(x, new Float32Array([1, 0, 0, 0, 1, 0]));
    const saved = await model.save(`file://${join(dir, "ckpt")}`, { includeOptimizer: true });
    const back = await loadModel(saved.files[0]!);
    expect(back.memory().optimizerState).toBe(model.memory().optimizerState);
    back.trainOnBatch(x, new Float32Array([0, 1, 0, 0, 0, 1]));
    model.trainOnBatch(x, new Float32Array([0, 1, 0, 0, 0, 1]));
    expect(back.getWeights()).toEqual(model.getWeights());
    back.dispose();
    model.dispose();
  });
});

describe("broken and missing files name the file", () => {
  const copy = async (name: string): Promise<string> => {
    const model = build();
    await model.save(`file://${join(dir, name)}`);
    model.dispose();
    return join(dir, name);
  };

  it("a truncated shard", async () => {
    const d = await copy("short");
    const shard = join(d, "group1-shard1of1.bin");
    await writeFile(shard, (await readFile(shard)).subarray(0, 10));
    const attempt = loadModel(join(d, "model.json"));
    await expect(attempt).rejects.toThrow(ModelFormatError);
    await expect(attempt).rejects.toThrow(`${shard}: the manifest declares`);
  });

  it("a missing shard, on disk and over HTTP", async () => {
    const d = await copy("noshard");
    await unlink(join(d, "group1-shard1of1.bin"));
    const attempt = loadModel(join(d, "model.json"));
    await expect(attempt).rejects.toThrow(ModelFormatError);
    await expect(attempt).rejects.toThrow(`${join(d, "group1-shard1of1.bin")}: the weights shard "group1-shard1of1.bin"`);
    const url = `${base}/noshard/group1-shard1of1.bin`;
    await expect(loadModel(`${base}/noshard/model.json`)).rejects.toThrow(new RegExp(`^${url}: .*HTTP 404`));
  });

  it("a malformed model.json: the path, then the place in the file", async () => {
    const d = await copy("bad");
    const path = join(d, "model.json");
    const json = JSON.parse(await readFile(path, "utf8"));
    json.modelTopology.config.layers[0].config.filters = -1;
    await writeFile(path, JSON.stringify(json));
    await expect(loadModel(path)).rejects.toThrow(new RegExp(`^${path}: modelTopology\\.config\\.layers\\[0\\]\\.config\\.filters`));
    await writeFile(path, "{ nope");
    await expect(loadModel(`${base}/bad/model.json`)).rejects.toThrow(`${base}/bad/model.json: model.json: is not JSON`);
  });

  it("a missing model.json is an I/O error naming it", async () => {
    const path = join(dir, "nothing", "model.json");
    const attempt = loadModel(path);
    await expect(attempt).rejects.toThrow(`cannot read ${path}`);
    await expect(attempt).rejects.not.toThrow(ModelFormatError);
    await expect(loadModel(`${base}/nothing/model.json`)).rejects.toThrow(`${base}/nothing/model.json failed: HTTP 404`);
  });

  it("the browser schemes on Node: a ConfigError naming the scheme and what to use instead", async () => {
    const model = build();
    for (const attempt of [model.save("indexeddb://m"), loadModel("indexeddb://m")]) {
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(/indexeddb:\/\/m: the indexeddb:\/\/ scheme needs a browser's IndexedDB .*on Node /);
    }
    const download = model.save("downloads://m");
    await expect(download).rejects.toThrow(ConfigError);
    await expect(download).rejects.toThrow(/downloads:\/\/m: the downloads:\/\/ scheme needs a page .*on Node save to "file:\/\/<directory>"/);
    await expect(model.save("downloads://a/b")).rejects.toThrow(/a download is a file name, not a path/);
    await expect(loadModel("downloads://m")).rejects.toThrow(/downloads:\/\/ only saves; load the two downloaded files/);
    await expect(model.save("s3://bucket/m")).rejects.toThrow(/"s3:\/\/bucket\/m": the destinations are "file:\/\/<directory>"/);
    model.dispose();
  });

  it("the browser entry's own guards, where there is no IndexedDB and no document", async () => {
    // dist/browser.js installs the browser schemes; run under Node it meets neither global.
    const entry: string = "../../dist/browser.js"; // untyped on purpose: dist/ has no declarations beside the bundle
    const browserEntry = (await import(entry)) as typeof import("../../src/index.node.js");
    await browserEntry.init({ backend: "js" });
    const model = new browserEntry.Sequential([new browserEntry.Dense({ units: 2 })], { inputShape: [3] });
    for (const attempt of [model.save("indexeddb://m"), browserEntry.loadModel("indexeddb://m")]) {
      await expect(attempt).rejects.toThrow(browserEntry.ConfigError);
      await expect(attempt).rejects.toThrow(/the indexeddb:\/\/ scheme needs a browser's IndexedDB/);
    }
    await expect(model.save("downloads://m")).rejects.toThrow(/the downloads:\/\/ scheme needs a page/);
    model.dispose();
  });

  it("file:// without Node's entry", async () => {
    const model = build();
    setFileSystem(null);
    try {
      await expect(model.save(`file://${dir}/x`)).rejects.toThrow(/Node's entry only/);
      await expect(loadModel(`file://${dir}/m1/model.json`)).rejects.toThrow(/Node's entry only/);
      // Without the file system a relative path is fetched: under Node there is no location to resolve it against.
      await expect(loadModel("m1/model.json")).rejects.toThrow(/no page or worker location/);
    } finally {
      setFileSystem(nodeFileSystem);
    }
    model.dispose();
  });
});
