// Types for demo/digits.mjs, which tests/demo/preprocess.test.ts imports.

/** Pixels in one 28x28 digit. */
export const IMAGE_SIZE: number;

/** Up to `perDigit` samples of each digit from `start`, interleaved 0..9: x is [count, 28, 28, 1] in 0..1. */
export function loadDigits(start: number, perDigit: number): { x: Float32Array; labels: Int32Array; count: number };

/** A 28x28 image (or any h x w map) as ASCII art, two characters per pixel. */
export function asciiArt(pixels: ArrayLike<number>, height: number, width: number, step?: number): string[];
