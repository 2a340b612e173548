// The MNIST digits the page trains on, as one compact file: the `mnist`
// package stores each pixel as its 0..255 byte divided by 255 and rounded to
// 3 decimals, so one byte per pixel holds it, and decoding gives back the
// package's floats exactly (the build checks that it does). 785 bytes a
// digit instead of the package's JSON text.
//
// Layout, little-endian: "MNIST-U8" (8 bytes), u32 train count, u32 test
// count, then every label (u8, train then test), then every digit's 784
// pixel bytes, row by row.

export const PIXELS = 28 * 28;
const MAGIC = "MNIST-U8";
const HEADER = MAGIC.length + 8;

/** A pixel byte as the `mnist` package's float: byte / 255 rounded to 3 decimals. */
export const pixelValue = (byte) => Math.round((byte / 255) * 1000) / 1000;

/** The float the package stores, back to its byte. */
export const pixelByte = (value) => Math.round(value * 255);

/** Two sets of { x: Float32Array [n*784] in 0..1, labels: Int32Array [n] } as the file's bytes. */
export function encodeDigits(train, test) {
  const count = train.labels.length + test.labels.length;
  const bytes = new Uint8Array(HEADER + count * (1 + PIXELS));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(MAGIC.length, train.labels.length, true);
  view.setUint32(MAGIC.length + 4, test.labels.length, true);
  bytes.set(train.labels, HEADER);
  bytes.set(test.labels, HEADER + train.labels.length);
  const pixels = bytes.subarray(HEADER + count);
  train.x.forEach((v, i) => { pixels[i] = pixelByte(v); });
  test.x.forEach((v, i) => { pixels[train.x.length + i] = pixelByte(v); });
  return bytes;
}

/** The file's bytes back to { train, test }, each { x, labels, count }. */
export function decodeDigits(buffer) {
  const bytes = new Uint8Array(buffer);
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw new Error(`not a digit file: it starts with ${JSON.stringify(magic)}, not ${MAGIC}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const counts = [view.getUint32(MAGIC.length, true), view.getUint32(MAGIC.length + 4, true)];
  const total = counts[0] + counts[1];
  if (bytes.length !== HEADER + total * (1 + PIXELS)) {
    throw new Error(`digit file of ${bytes.length} bytes, but its header promises ${total} digits`);
  }
  const values = Float32Array.from({ length: 256 }, (_, b) => pixelValue(b));
  const pixels = bytes.subarray(HEADER + total);
  const set = (start, count) => ({
    count,
    labels: Int32Array.from(bytes.subarray(HEADER + start, HEADER + start + count)),
    x: Float32Array.from(pixels.subarray(start * PIXELS, (start + count) * PIXELS), (b) => values[b]),
  });
  return { train: set(0, counts[0]), test: set(counts[0], counts[1]) };
}
