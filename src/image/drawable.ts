// Reading the pixels of a browser image source (canvas, OffscreenCanvas,
// ImageBitmap, <img>). Duck-typed, so nothing here names a DOM type at run
// time, and kept tiny: Node has none of these, so no test reaches this file.

/** RGBA pixels as a 2-D canvas context returns them. @internal */
export interface RgbaPixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

interface Context2D {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): RgbaPixels;
}
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: "2d", options?: unknown): unknown;
}

/** True for something a 2-D canvas can draw: has a size and is a canvas, bitmap or image. @internal */
export function isDrawable(source: object): boolean {
  const s = source as Record<string, unknown>;
  return typeof s.getContext === "function" || typeof s.close === "function" || "naturalWidth" in s;
}

/**
 * Draws `source` onto a fresh 2-D canvas (OffscreenCanvas when the runtime
 * has one, else a document canvas) and reads its RGBA pixels back; null when
 * this runtime has neither. A canvas is always redrawn, since its own
 * context may be WebGL (getContext("2d") would then return null).
 * @internal
 */
export function readDrawable(source: object): RgbaPixels | null {
  const s = source as { width?: number; height?: number; naturalWidth?: number; naturalHeight?: number };
  const width = s.naturalWidth || s.width || 0;
  const height = s.naturalHeight || s.height || 0;
  // An <img> not loaded yet has no size; the caller reports it as a ShapeError.
  if (width === 0 || height === 0) return { data: new Uint8ClampedArray(0), width, height };
  const g = globalThis as { OffscreenCanvas?: new (w: number, h: number) => CanvasLike; document?: { createElement(tag: "canvas"): CanvasLike } };
  let canvas: CanvasLike;
  if (typeof g.OffscreenCanvas === "function") canvas = new g.OffscreenCanvas(width, height);
  else if (g.document !== undefined) {
    canvas = g.document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
  } else return null;
  const ctx = canvas.getContext("2d", { willReadFrequently: true }) as Context2D | null;
  if (ctx === null) return null;
  ctx.drawImage(source, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}
