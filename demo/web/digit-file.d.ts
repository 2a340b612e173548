// Types for demo/web/digit-file.js, which tests/demo/preprocess.test.ts imports.

export interface DigitSet {
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

export const PIXELS: number;
export function pixelValue(byte: number): number;
export function pixelByte(value: number): number;
export function encodeDigits(train: Omit<DigitSet, "count">, test: Omit<DigitSet, "count">): Uint8Array;
export function decodeDigits(buffer: ArrayBuffer | Uint8Array): { train: DigitSet; test: DigitSet };
