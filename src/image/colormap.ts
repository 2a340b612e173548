// Viridis (matplotlib's default colour map: perceptually uniform, readable in
// grey and by colour-blind readers) as a 256-entry table, interpolated
// linearly in sRGB between nine anchors: viridis(9) as matplotlib and R's
// viridisLite give it. The ends are exact (#440154, #fde725); in between, the
// table is within a few levels of matplotlib's 256 colours.

const ANCHORS = [0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c, 0x27ad81, 0x5dc863, 0xaadc32, 0xfde725];

/**
 * The viridis table: 256 RGB triples, entry i for the value i / 255.
 * @internal
 */
export const VIRIDIS: Uint8Array = (() => {
  const table = new Uint8Array(256 * 3);
  const last = ANCHORS.length - 1;
  for (let i = 0; i < 256; i++) {
    const x = (i / 255) * last;
    const j = Math.min(last - 1, Math.floor(x));
    const f = x - j;
    for (let k = 0; k < 3; k++) {
      const shift = 16 - 8 * k;
      const a = (ANCHORS[j]! >> shift) & 255;
      const b = (ANCHORS[j + 1]! >> shift) & 255;
      table[3 * i + k] = Math.round(a + (b - a) * f);
    }
  }
  return table;
})();
