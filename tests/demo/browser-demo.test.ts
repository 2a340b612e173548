// The browser demo (`npm run demo`) as a person uses it, in Chromium
// (tests/support/chromium.ts: Debian's when installed, else the one
// @sparticuz/chromium ships in npm, as in tests/browser/): the script builds the page and serves it on a free port;
// the page loads with no console error and fetches nothing from elsewhere; a
// vertical stroke drawn with the mouse reads as 1 and a ring as 0, with
// feature maps that are pictures, not blanks; a one-epoch training run in
// the worker leaves the page's animation frames at 30 Hz or more, and the
// model it trains goes through IndexedDB to the pad, and is offered again
// after a reload; on a phone-sized screen a finger draws, and nothing
// scrolls sideways. The trained page is kept as artifacts/demo.png.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/chromium.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SCREENSHOT = join(ROOT, "artifacts", "demo.png");

let server: ChildProcess | null = null;
let origin = "";
let out = "";
let browser: Browser | null = null;

/** Starts `node scripts/demo.mjs --port 0` and resolves with the address it prints. */
function startDemo(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts", "demo.mjs"), "--port", "0", "--out", dir],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    server = child;
    let output = "";
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const address = /simdcnn demo at (http:\/\/127\.0\.0\.1:\d+)\/\n/.exec(output);
      if (address !== null) resolve(address[1]!);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("exit", (code) => reject(new Error(`scripts/demo.mjs exited with ${code} before serving:\n${output}`)));
    setTimeout(() => reject(new Error(`scripts/demo.mjs printed no address in 100 s:\n${output}`)), 100_000).unref();
  });
}

/** Why the server or Chromium did not start: each test fails with it (a failing beforeAll would only skip them). */
let setupError: Error | null = null;

beforeAll(async () => {
  try {
    out = await mkdtemp(join(tmpdir(), "simdcnn-demo-web-"));
    origin = await startDemo(out);
    browser = await launchChromium();
  } catch (e) {
    setupError = e instanceof Error ? e : new Error(String(e));
  }
}, 120_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    server?.kill();
    if (out !== "") await rm(out, { recursive: true, force: true });
  }
});

let context: BrowserContext | null = null;
/** Console errors, page errors and requests that left the demo's server, of the current page. */
let problems: string[] = [];

afterEach(async () => {
  await context?.close();
  context = null;
  expect(problems, "errors reported by the page, and requests elsewhere").toEqual([]);
});

/** A fresh page on the demo, once it has loaded its model and drawn the empty pad. */
async function openDemo(options: BrowserContextOptions = {}): Promise<Page> {
  if (setupError !== null) throw setupError;
  problems = [];
  context = await browser!.newContext(options);
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()} (at ${m.location().url})`);
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith("data:")) problems.push(`fetched ${r.url()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.documentElement.dataset.state !== undefined, undefined, { timeout: 20_000 });
  expect(await page.locator("html").getAttribute("data-state"), await page.locator("#status").innerText()).toBe("ready");
  return page;
}

/** A stroke through `points` (fractions of the pad's size), pressed with the mouse. */
async function drawWithMouse(page: Page, points: readonly (readonly [number, number])[]): Promise<void> {
  await page.locator("#pad").scrollIntoViewIfNeeded();
  const box = (await page.locator("#pad").boundingBox())!;
  const at = ([x, y]: readonly [number, number]): [number, number] => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
  await page.mouse.up();
}

const verticalLine = Array.from({ length: 11 }, (_, i) => [0.5, 0.15 + i * 0.07] as const);
const ring = Array.from({ length: 25 }, (_, i) => {
  const angle = (i / 24) * 2 * Math.PI;
  return [0.5 + 0.25 * Math.sin(angle), 0.5 - 0.33 * Math.cos(angle)] as const;
});

/** Waits until #prediction shows a digit (the pad is classified on the next animation frame). */
async function prediction(page: Page): Promise<string> {
  await page.waitForFunction(() => /^\d$/.test(document.getElementById("prediction")!.textContent ?? ""), undefined,
    { timeout: 5_000 });
  return page.locator("#prediction").innerText();
}

/** How many different RGBA values each canvas matching `selector` holds (1: a blank). */
function distinctColours(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) => (canvases as HTMLCanvasElement[]).map((c) => {
    const { data } = c.getContext("2d")!.getImageData(0, 0, c.width, c.height);
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add(((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0);
    return seen.size;
  }));
}

describe("npm run demo in Chromium", () => {
  it("loads the shipped model with no console error, and shows its first layer's six 5x5 kernels", async () => {
    const page = await openDemo();
    expect(await page.locator("#model-name").innerText()).toBe("shipped LeNet (models/lenet/)");
    expect(await page.locator("#backend").innerText()).toMatch(/^relaxed-simd: \w/);
    expect(await page.locator("#prediction").innerText()).toBe("–");
    expect(await page.locator("#use-saved").isDisabled(), "no model saved in this fresh profile").toBe(true);
    // 6 filters, 3 to a row, 5x5 weights at 8 px, 1 px gutters.
    expect(await page.$eval("#kernels", (c: HTMLCanvasElement) => [c.width, c.height])).toEqual([3 * 41 - 1, 2 * 41 - 1]);
    expect((await distinctColours(page, "#kernels"))[0]).toBeGreaterThan(20);
  });

  it("reads a vertical stroke drawn with the mouse as 1 and a ring as 0, with feature maps that are not blank", async () => {
    const page = await openDemo();
    await drawWithMouse(page, verticalLine);
    expect(await prediction(page)).toBe("1");
    // conv2d_1 and its pool (6 channels), conv2d_2 and its pool (16), each a picture of several colours.
    const captions = await page.locator("#feature-maps figcaption").allInnerTexts();
    expect(captions.map((c) => c.replace(/^\S+ /, ""))).toEqual([
      "(Conv2D + relu) 28x28x6", "(MaxPooling2D) 14x14x6", "(Conv2D + relu) 10x10x16", "(MaxPooling2D) 5x5x16"]);
    const colours = await distinctColours(page, "canvas.feature-map");
    expect(colours).toHaveLength(4);
    for (const [i, n] of colours.entries()) expect(n, `${captions[i]}: distinct colours`).toBeGreaterThan(10);
    // The bars agree with the prediction, and sum to 1.
    const percents = (await page.locator("#probabilities .percent").allInnerTexts()).map((t) => parseFloat(t));
    expect(percents.indexOf(Math.max(...percents))).toBe(1);
    expect(percents.reduce((a, b) => a + b)).toBeCloseTo(100, 0);

    await page.click("#clear");
    await page.waitForFunction(() => document.getElementById("prediction")!.textContent === "–");
    await drawWithMouse(page, ring);
    expect(await prediction(page)).toBe("0");
  });

  it("trains one epoch in the worker while the page keeps 30+ frames a second, then uses the model from IndexedDB, offered again after a reload", async () => {
    const page = await openDemo({ viewport: { width: 1200, height: 900 } });
    await page.fill("#epochs", "1");
    const workers: string[] = [];
    page.on("worker", (w) => workers.push(w.url()));
    // Frames counted in the page, from the click until training is done.
    await page.evaluate(() => {
      const w = window as unknown as { frames: { count: number; start: number; end: number; longest: number } };
      w.frames = { count: 0, start: performance.now(), end: 0, longest: 0 };
      let last = w.frames.start;
      const tick = (now: number): void => {
        if (w.frames.end !== 0) return;
        w.frames.count++;
        w.frames.longest = Math.max(w.frames.longest, now - last);
        last = now;
        if (document.documentElement.dataset.training === "done") w.frames.end = now;
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.click("#train");
    await page.waitForFunction(() => document.documentElement.dataset.training === "done", undefined, { timeout: 45_000 });
    await page.waitForFunction(() => (window as unknown as { frames: { end: number } }).frames.end !== 0);
    const frames = await page.evaluate(() => (window as unknown as { frames: { count: number; start: number; end: number; longest: number } }).frames);
    const seconds = (frames.end - frames.start) / 1000;
    const rate = frames.count / seconds;
    expect(rate, `${frames.count} frames in ${seconds.toFixed(2)} s of training, longest gap ${frames.longest.toFixed(0)} ms`)
      .toBeGreaterThanOrEqual(30);

    expect(workers, "the page's workers").toEqual([`${origin}/train-worker.js`]);
    const status = await page.locator("#train-status").innerText();
    expect(status).toMatch(/^Epoch 1\/1: loss \d\.\d{3}, training accuracy \d+\.\d%, held-out accuracy (\d+\.\d)%\. Trained in \d+\.\d s\.$/);
    // One epoch on 8,000 digits already reads most of the 1,756 held-out ones (chance: 10%).
    expect(parseFloat(/held-out accuracy (\d+\.\d)%/.exec(status)![1]!)).toBeGreaterThan(85);
    expect(await page.locator("#train-count").innerText()).toBe("8,000");
    expect(await page.locator("#test-count").innerText()).toBe("1,756");
    expect(await page.$eval("#train-progress", (p: HTMLProgressElement) => p.value)).toBe(1);
    expect((await distinctColours(page, "#loss-curve"))[0]).toBeGreaterThan(2);

    const shippedKernels = await page.$eval("#kernels", (c: HTMLCanvasElement) => c.toDataURL());
    await page.click("#save");
    await page.waitForFunction(() => document.documentElement.dataset.training === "saved", undefined, { timeout: 10_000 });
    expect(await page.locator("#model-name").innerText()).toBe("trained here, loaded from indexeddb://simdcnn-demo-lenet");
    const trainedKernels = await page.$eval("#kernels", (c: HTMLCanvasElement) => c.toDataURL());
    expect(trainedKernels, "the new model's kernels").not.toBe(shippedKernels);
    await drawWithMouse(page, verticalLine);
    expect(await prediction(page)).toBe("1");
    expect(await page.locator("#use-saved").isDisabled(), "the saved model is the one in use").toBe(true);
    await mkdir(join(ROOT, "artifacts"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // Kept for the next visit: offered, while the shipped model stays the default.
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.state === "ready");
    expect(await page.locator("#model-name").innerText()).toBe("shipped LeNet (models/lenet/)");
    await page.click("#use-saved");
    await page.waitForFunction(() => document.getElementById("model-name")!.textContent!.includes("indexeddb://"));
    expect(await page.$eval("#kernels", (c: HTMLCanvasElement) => c.toDataURL())).toBe(trainedKernels);
  });

  it("on a 390x844 phone screen: pad and prediction in view, no sideways scrolling, and a finger draws", async () => {
    const page = await openDemo({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "pixels of horizontal overflow").toBeLessThanOrEqual(0);
    for (const selector of ["#pad", "#prediction", "#clear"]) {
      const box = (await page.locator(selector).boundingBox())!;
      expect(box, selector).not.toBeNull();
      expect(box.x, `${selector} left`).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${selector} right`).toBeLessThanOrEqual(390);
      expect(box.y + box.height, `${selector} bottom`).toBeLessThanOrEqual(844);
    }
    // A finger stroke, as touch events through the DevTools protocol (Playwright's touchscreen only taps).
    const box = (await page.locator("#pad").boundingBox())!;
    const cdp = await context!.newCDPSession(page);
    const touch = (type: "touchStart" | "touchMove" | "touchEnd", [x, y]: readonly [number, number]) => cdp.send("Input.dispatchTouchEvent", {
      type, touchPoints: type === "touchEnd" ? [] : [{ x: box.x + x * box.width, y: box.y + y * box.height }],
    });
    await touch("touchStart", verticalLine[0]!);
    for (const point of verticalLine.slice(1)) await touch("touchMove", point);
    await touch("touchEnd", verticalLine.at(-1)!);
    expect(await prediction(page)).toBe("1");
    expect(await page.evaluate(() => window.scrollY), "the stroke did not scroll the page").toBe(0);
  });
});
