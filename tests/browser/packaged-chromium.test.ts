// The browser a fresh machine gets from `npm install`: @sparticuz/chromium,
// launched whether or not the machine also has Debian's chromium (which the
// other browser tests prefer when present), so CI proves on every run that
// the browser tests would run without it: on the NSS, NSPR and expat it
// brings, not the system's. It loads dist/browser.js and must predict what
// Node predicts on the same binary, bit for bit.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as simdcnn from "simdcnn";
import { chromiumSource, launchChromium, packagedChromium } from "../support/chromium.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

/** A model with fixed weights: inputs and weights are small ramps, so every output is a known function of them. */
interface Probe {
  weights: number[][];
  x: number[];
}

const probe: Probe = {
  weights: [Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => ((i * 7) % 13) / 13 - 0.5), [0.1, -0.2, 0.3, 0],
    Array.from({ length: 4 * 4 * 4 * 3 }, (_, i) => ((i * 5) % 11) / 11 - 0.5), [0, 0.05, -0.05]],
  x: Array.from({ length: 2 * 4 * 4 * 2 }, (_, i) => ((i * 37) % 17) / 17),
};

/** Runs in the page and in Node alike: init() as given, then the probe's predictions as float32 bit patterns. */
async function predictBits(lib: typeof simdcnn, input: Probe & { init: simdcnn.InitOptions }): Promise<{ backend: string; bits: number[] }> {
  await lib.init(input.init);
  const model = new lib.Sequential([
    new lib.Conv2D({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" }),
    new lib.Flatten(),
    new lib.Dense({ units: 3, activation: "softmax" }),
  ], { inputShape: [4, 4, 2] });
  model.setWeights(input.weights.map((w) => Float32Array.from(w)));
  const y = Float32Array.from(model.predict(Float32Array.from(input.x)).toArray());
  model.dispose();
  return { backend: lib.capabilities().backend, bits: Array.from(new Uint32Array(y.buffer)) };
}

let server: StaticServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await serveStatic({ "/dist/": DIST });
  browser = await launchChromium("sparticuz");
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
});

describe("the browser shipped in npm (@sparticuz/chromium)", () => {
  it("runs dist/browser.js: init() picks relaxed SIMD and predicts as Node does, bit for bit", async () => {
    const page = await browser!.newPage();
    try {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      // A page of the server's origin, so the bundle's import and its wasm fetch are same-origin.
      await page.route(`${server!.origin}/`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html>" }));
      await page.goto(`${server!.origin}/`);
      expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome\/153\./);
      await page.addScriptTag({ type: "module", content: 'import * as lib from "/dist/browser.js"; window.lib = lib;' });
      await page.waitForFunction(() => "lib" in window, undefined, { timeout: 10_000 });
      const inPage = await page.evaluate(({ source, input }) => {
        // The same function as Node's, sent as source: the page has no copy of this test file.
        const run = new Function(`return (${source})`)() as typeof predictBits;
        return run((window as unknown as { lib: typeof simdcnn }).lib, input);
      }, { source: predictBits.toString(), input: { ...probe, init: {} } });
      expect(errors).toEqual([]);
      expect(inPage.backend).toBe("relaxed-simd");
      const node = await predictBits(simdcnn, { ...probe, init: { backend: "relaxed-simd", nodeRelaxedSimdFlag: true } });
      expect(inPage.bits).toEqual(node.bits);
      expect(new Set(node.bits).size, "distinct outputs, not a constant").toBeGreaterThan(3);
    } finally {
      await page.close();
    }
  });
});

/** The shared libraries mapped by the running processes of `executable` (from /proc: Linux, as the package is). */
function librariesOf(executable: string): Set<string> {
  const libraries = new Set<string>();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let maps: string;
    try {
      if (readlinkSync(`/proc/${pid}/exe`) !== executable) continue;
      maps = readFileSync(`/proc/${pid}/maps`, "utf8");
    } catch {
      continue; // gone, or not ours to read
    }
    for (const line of maps.split("\n")) {
      const file = line.split(/\s+/)[5];
      if (file?.includes(".so") === true) libraries.add(file);
    }
  }
  return libraries;
}

describe("the packaged browser's libraries", () => {
  it("links the NSS, NSPR and expat the package brings, not the system's", async () => {
    const { executablePath, libDir } = await packagedChromium();
    const page = await browser!.newPage();
    try {
      const libraries = [...librariesOf(executablePath)];
      for (const name of ["libnss3.so", "libnspr4.so", "libexpat.so.1"]) {
        expect(libraries.filter((l) => l.endsWith(`/${name}`)), name).toEqual([`${libDir}/${name}`]);
      }
    } finally {
      await page.close();
    }
  });
});

describe("chromiumSource", () => {
  it("takes SIMDCNN_CHROMIUM=system|sparticuz, and refuses any other value", () => {
    expect(chromiumSource("system")).toBe("system");
    expect(chromiumSource("sparticuz")).toBe("sparticuz");
    expect(() => chromiumSource("firefox")).toThrow(/SIMDCNN_CHROMIUM=firefox: expected "system" .* or "sparticuz"/);
  });
});
