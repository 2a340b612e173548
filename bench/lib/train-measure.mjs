// Times one training row across the contestants, one after another, and
// checks the first step's weight updates against a reference. The first
// step is the warm-up and the check at once: every checkable contestant
// starts from the same weights and takes one step on the same batch.

/** Step budgets: full mode for numbers, quick mode for the one-minute smoke run. */
export const TRAIN_BUDGETS = {
  // timeMs: how long to keep stepping after the warm-up step (at least
  // minSteps steps); singleShotMs: a warm-up step slower than this is the
  // only one (marked *); maxStepMs: skip when the estimate says slower.
  full: { timeMs: 2000, minSteps: 2, singleShotMs: 15000, maxStepMs: 60000 },
  quick: { timeMs: 400, minSteps: 1, singleShotMs: 10000, maxStepMs: 20000 },
};

/**
 * Training FLOPs per ms assumed for a contestant before any row measured it
 * (e.g. `--only=train-smallvgg`), so a peer that needs minutes per VGG step
 * is skipped rather than run. Rough one-core rates seen here for LeNet,
 * rounded up: an estimate, never a result.
 */
const FALLBACK_RATES = { js: 500e3, convnetjs: 1e6, "tfjs-cpu": 70e3 };

/** Reference for the update check, best first: TF.js cpu, else the simdcnn JS backend. */
const CHECK_REFERENCES = ["tfjs-cpu", "js"];

/**
 * Largest |update difference| per tensor over the reference's largest
 * |update| (updates = weights after the step minus before). Loose on
 * purpose: float32 rounding of the weights leaves ~1e-5 of that scale here, a
 * wrong gradient by far more. Near-zero updates use an absolute floor.
 */
const UPDATE_REL_TOL = 2e-2;
const UPDATE_ABS_FLOOR = 1e-7;

/**
 * Compares the step's updates of `got` with those of `want`, both from
 * `initial`, per tensor: by default the largest element difference over the
 * largest reference update; with `{ norm: "l2", tol }` the L2 norm of the
 * difference over the L2 norm of the reference update, for rows where a few
 * elements legitimately swing (see train-workloads.mjs's MobileNetV2 row).
 */
export function compareUpdates(got, want, initial, { norm = "max", tol = UPDATE_REL_TOL } = {}) {
  if (!got || got.length !== want.length) {
    return { ok: false, relErr: Infinity, note: `${got?.length ?? "no"} weight tensors, want ${want.length}` };
  }
  let worst = { relErr: 0, tensor: -1, maxErr: 0, scale: 0 };
  const failed = [];
  for (let k = 0; k < want.length; k++) {
    if (got[k].length !== want[k].length) {
      return { ok: false, relErr: Infinity, note: `weight ${k}: ${got[k].length} floats, want ${want[k].length}` };
    }
    let maxErr = 0;
    let scale = 0;
    let sumErr = 0;
    let sumScale = 0;
    for (let i = 0; i < want[k].length; i++) {
      const dWant = want[k][i] - initial[k][i];
      const d = Math.abs(got[k][i] - initial[k][i] - dWant);
      maxErr = Number.isNaN(d) ? Infinity : Math.max(maxErr, d);
      scale = Math.max(scale, Math.abs(dWant));
      sumErr += d * d;
      sumScale += dWant * dWant;
    }
    const relErr = norm === "l2"
      ? Math.sqrt(sumErr) / Math.max(Math.sqrt(sumScale), UPDATE_ABS_FLOOR)
      : maxErr / Math.max(scale, UPDATE_ABS_FLOOR);
    // Tensors within the absolute floor are equal as far as this check can tell: not the worst.
    if (maxErr > UPDATE_ABS_FLOOR && !(relErr <= worst.relErr)) worst = { relErr, tensor: k, maxErr, scale };
    if (!(relErr <= tol || maxErr <= UPDATE_ABS_FLOOR)) failed.push(k);
  }
  return { ok: failed.length === 0, ...worst, ...(failed.length ? { note: `weight tensors ${failed.join(", ")} differ` } : {}) };
}

async function timeStep(step) {
  const t0 = performance.now();
  await step();
  return performance.now() - t0;
}

/**
 * Measures training row `wl` on each contestant. Returns { results: {id:
 * entry}, reference }. An entry: { status: "ok" | "single" | "skipped" |
 * "n/a" | "error", ms (per step), value (samples/s), steps, coldMs, check, note }.
 * `rates` (id -> training FLOPs per ms seen so far) skips a contestant
 * whose estimated step exceeds the budget before it starts.
 */
export async function measureTraining(wl, data, contestants, budget, rates, log) {
  const results = {};
  const snapshots = {};
  for (const c of contestants) {
    const supported = c.supports(wl);
    if (supported !== true) {
      results[c.id] = { status: "n/a", note: String(supported) };
      continue;
    }
    const rate = rates.get(c.id) ?? FALLBACK_RATES[c.id];
    const estimate = rate ? wl.flops / rate : 0;
    if (estimate > budget.maxStepMs) {
      results[c.id] = { status: "skipped", note: `est. ${(estimate / 1000).toFixed(0)} s per step > ${budget.maxStepMs / 1000} s` };
      continue;
    }
    let prepared = null;
    try {
      prepared = await c.prepare(wl, data);
      const coldMs = await timeStep(prepared.step);
      if (c.checkable) snapshots[c.id] = prepared.weights();
      const entry = { status: "ok", coldMs, check: null, note: "" };
      if (coldMs > budget.singleShotMs) {
        Object.assign(entry, { status: "single", ms: coldMs, steps: 1 });
      } else {
        let steps = 0;
        const t0 = performance.now();
        while (steps < budget.minSteps || performance.now() - t0 < budget.timeMs) {
          await prepared.step();
          steps++;
        }
        Object.assign(entry, { ms: (performance.now() - t0) / steps, steps });
      }
      entry.value = (wl.batch * 1000) / entry.ms;
      rates.set(c.id, wl.flops / entry.ms);
      results[c.id] = entry;
    } catch (e) {
      const note = c.explain ? c.explain(e) : e?.message ?? String(e);
      results[c.id] = { status: "error", note };
      if (!c.explain) log(`  ! ${c.label} on ${wl.label}: ${e?.stack ?? e}`);
    } finally {
      try {
        await prepared?.dispose?.();
      } catch {
        /* a failed dispose must not hide the measurement */
      }
    }
  }
  const reference = CHECK_REFERENCES.find((id) => snapshots[id]) ?? null;
  for (const [id, weights] of Object.entries(snapshots)) {
    if (id === reference) results[id].check = { ok: true, reference: true, relErr: 0 };
    else if (reference) results[id].check = compareUpdates(weights, snapshots[reference], data.weights, wl.updateCheck);
  }
  return { results, reference };
}
