// Types for demo/web/preprocess.js, which tests/demo/preprocess.test.ts imports.

export const DIGIT_SIZE: 28;
export const BOX_SIZE: 20;

/** The smallest rectangle holding every pixel brighter than 0, or null for a blank image. */
export function inkBounds(width: number, height: number, ink: (i: number) => number):
  { left: number; top: number; width: number; height: number } | null;

/** `src` (w x h) resampled to tw x th by area averaging. */
export function areaResize(src: Float32Array, w: number, h: number, tw: number, th: number): Float32Array;

/** An image's ink as a 28x28 MNIST digit (grey bytes), or null when nothing is drawn. */
export function mnistDigit(width: number, height: number, ink: (i: number) => number): Uint8ClampedArray | null;
