// The drawing pad: white round strokes on black (MNIST's colours) from
// pointer events, so a mouse, a pen and a finger all draw; one pointer at a
// time, captured, so a stroke that leaves the pad still ends. The canvas
// keeps its own resolution whatever size CSS gives it.

/**
 * Makes `canvas` a drawing pad; `onChange()` runs after every drawn segment
 * and at the end of a stroke. Returns { clear(), pixels() } (pixels: ImageData).
 */
export function drawingPad(canvas, onChange) {
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  // A pen about 1/14 of the pad: a digit drawn over most of it gets MNIST's 2-3 px strokes at 20 px.
  const pen = canvas.width / 14;
  let pointer = null;
  let last = null;

  const blank = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  };
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width), (e.clientY - box.top) * (canvas.height / box.height)];
  };
  const segment = (from, to) => {
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = pen;
    ctx.lineCap = "round";
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  };

  canvas.addEventListener("pointerdown", (e) => {
    if (pointer !== null) return;
    e.preventDefault();
    pointer = e.pointerId;
    canvas.setPointerCapture(pointer);
    last = at(e);
    segment(last, last); // a tap leaves a dot
    onChange();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (e.pointerId !== pointer) return;
    // Coalesced events: the points a fast stroke passed between two frames.
    const events = e.getCoalescedEvents?.() ?? [];
    for (const point of (events.length > 0 ? events : [e]).map(at)) {
      segment(last, point);
      last = point;
    }
    onChange();
  });
  const end = (e) => {
    if (e.pointerId !== pointer) return;
    pointer = null;
    onChange();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  blank();

  return {
    clear() {
      blank();
      onChange();
    },
    pixels: () => ctx.getImageData(0, 0, canvas.width, canvas.height),
  };
}
