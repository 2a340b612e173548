// The few drawing calls `npm run visualize` needs, on an RGBA image of the
// layout featureMapGrid / kernelGrid return: fill, paste an image over the
// background (their gutters are transparent), and write a label.
import { GLYPH_HEIGHT, GLYPH_WIDTH, ink } from "./font.mjs";

export class Canvas {
  constructor(width, height, background) {
    this.width = width;
    this.height = height;
    this.data = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set(background, i * 4);
  }

  /** Draws `image` with its top left corner at (x, y), blending by its alpha; what falls outside is cut off. */
  paste(image, x, y) {
    for (let r = 0; r < image.height; r++) {
      for (let c = 0; c < image.width; c++) {
        const [tx, ty] = [x + c, y + r];
        if (tx < 0 || ty < 0 || tx >= this.width || ty >= this.height) continue;
        const s = (r * image.width + c) * 4;
        const d = (ty * this.width + tx) * 4;
        const a = image.data[s + 3] / 255;
        for (let k = 0; k < 3; k++) this.data[d + k] = image.data[s + k] * a + this.data[d + k] * (1 - a);
      }
    }
  }

  /** Writes `text` in the 3x5 font, each font pixel `scale` pixels wide; returns the width drawn. */
  text(text, x, y, color, scale = 2) {
    const advance = (GLYPH_WIDTH + 1) * scale;
    [...text].forEach((ch, i) => {
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!ink(ch, gx, gy)) continue;
          this.fill(x + i * advance + gx * scale, y + gy * scale, scale, scale, color);
        }
      }
    });
    return text.length * advance;
  }

  fill(x, y, w, h, color) {
    for (let r = Math.max(0, y); r < Math.min(this.height, y + h); r++) {
      for (let c = Math.max(0, x); c < Math.min(this.width, x + w); c++) this.data.set(color, (r * this.width + c) * 4);
    }
  }
}

/** Text height at `scale`, for laying out. */
export const textHeight = (scale = 2) => GLYPH_HEIGHT * scale;
