// What the page draws: probability bars, RGBA images (feature-map and kernel
// grids, the 28x28 input) on canvases, and the training loss curve. Each
// view keeps its elements and only updates them, so a redraw per animation
// frame stays cheap on the page's thread.

/** Puts an RGBA image `{ width, height, data }` on `canvas`, resizing it to fit. */
export function drawRgba(canvas, { width, height, data }) {
  if (canvas.width !== width || canvas.height !== height) [canvas.width, canvas.height] = [width, height];
  canvas.getContext("2d").putImageData(new ImageData(data, width, height), 0, 0);
}

/** 28x28 grey bytes (or null: blank) drawn grey on `canvas`. */
export function drawGrey(canvas, grey, size) {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const v = grey === null ? 0 : grey[i];
    rgba.set([v, v, v, 255], i * 4);
  }
  drawRgba(canvas, { width: size, height: size, data: rgba });
}

/** Ten rows (digit, bar, percentage) in `container`; update(probs) sets them, null empties them. */
export function probabilityBars(container, classes) {
  const rows = Array.from({ length: classes }, (_, k) => {
    const label = Object.assign(document.createElement("span"), { textContent: String(k) });
    const bar = Object.assign(document.createElement("div"), { className: "bar" });
    const percent = Object.assign(document.createElement("span"), { className: "percent" });
    const track = document.createElement("div");
    track.append(bar);
    container.append(label, track, percent);
    return { bar, percent };
  });
  return (probs) => {
    const best = probs === null ? -1 : probs.indexOf(Math.max(...probs));
    rows.forEach(({ bar, percent }, k) => {
      const p = probs === null ? 0 : probs[k];
      bar.style.width = `${(p * 100).toFixed(1)}%`;
      bar.classList.toggle("best", k === best);
      percent.textContent = probs === null ? "" : `${(p * 100).toFixed(1)}%`;
    });
  };
}

/**
 * One labelled `<canvas class="feature-map">` per picture in `container`;
 * update([{ label, image }]) draws them, rebuilding the figures only when
 * the labels change (another model).
 */
export function pictureStrip(container) {
  let labels = "";
  let canvases = [];
  return (pictures) => {
    const now = pictures.map((p) => p.label).join("\n");
    if (now !== labels) {
      labels = now;
      container.replaceChildren();
      canvases = pictures.map(({ label }) => {
        const figure = document.createElement("figure");
        const caption = Object.assign(document.createElement("figcaption"), { textContent: label });
        const canvas = Object.assign(document.createElement("canvas"), { className: "feature-map" });
        figure.append(caption, canvas);
        container.append(figure);
        return canvas;
      });
    }
    pictures.forEach(({ image }, i) => drawRgba(canvases[i], image));
  };
}

/** Per-batch losses as a line (and their running mean) over the whole run, epochs marked. */
export function lossCurve(canvas) {
  const ctx = canvas.getContext("2d");
  let losses = [];
  let total = 1;
  let perEpoch = 1;
  const draw = () => {
    const { width, height } = canvas;
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, width, height);
    const top = Math.max(2.5, ...losses);
    const at = (i, loss) => [(i / Math.max(1, total - 1)) * (width - 1), height - 1 - (loss / top) * (height - 8)];
    ctx.strokeStyle = "#333";
    ctx.lineWidth = 1;
    for (let b = perEpoch; b < total; b += perEpoch) {
      const [x] = at(b, 0);
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, height);
      ctx.stroke();
    }
    const line = (values, colour, widthPx) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = widthPx;
      ctx.beginPath();
      values.forEach((v, i) => (i === 0 ? ctx.moveTo(...at(i, v)) : ctx.lineTo(...at(i, v))));
      ctx.stroke();
    };
    line(losses, "#21908c", 1);
    let mean = losses[0];
    line(losses.map((v) => (mean = 0.95 * mean + 0.05 * v)), "#fde725", 2);
  };
  return {
    reset(batches, epochs) {
      [losses, perEpoch, total] = [[], batches, batches * epochs];
      draw();
    },
    add(loss) {
      losses.push(loss);
    },
    draw,
  };
}
