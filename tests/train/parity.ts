// The training-parity check shared by the suites: every weight tensor on
// its own, so a small tensor's error cannot hide behind a big tensor's move.
import { expect } from "vitest";
import { OPTIMIZER_PARITY_REL, UNMOVED_ABS } from "./tolerances.js";

/**
 * For each tensor i: max |ours_i - theirs_i| <= OPTIMIZER_PARITY_REL *
 * max |theirs_i - start_i| (how far tfjs moved that tensor). A tensor tfjs
 * did not move at all (a dead unit's bias) must stay within UNMOVED_ABS.
 * Returns the worst ratio, for logging.
 */
export function expectPerTensorParity(ours: Float32Array[], theirs: Float32Array[], start: Float32Array[],
                                      names: string[]): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  let movedAny = false;
  theirs.forEach((t, i) => {
    let moved = 0;
    let diff = 0;
    t.forEach((v, j) => {
      moved = Math.max(moved, Math.abs(v - start[i]![j]!));
      diff = Math.max(diff, Math.abs(v - ours[i]![j]!));
    });
    movedAny ||= moved > 0;
    const label = `${names[i]}: max |ours - tfjs| ${diff}, tfjs moved it ${moved}`;
    if (moved === 0) expect(diff, label).toBeLessThanOrEqual(UNMOVED_ABS);
    else {
      expect(diff / moved, label).toBeLessThanOrEqual(OPTIMIZER_PARITY_REL);
      worst = Math.max(worst, diff / moved);
    }
  });
  expect(movedAny).toBe(true);
  return worst;
}
