// Types for scripts/chromium.mjs, which the browser tests import.
import type { Browser } from "playwright-core";

export type ChromiumSource = "system" | "sparticuz";

/** The packaged Chromium: its executable, and the folder of the shared libraries it brings. */
export interface PackagedChromium {
  executablePath: string;
  libDir: string;
}

/** Which browser to launch: SIMDCNN_CHROMIUM when set, else the system one if installed. */
export function chromiumSource(env?: string | undefined): ChromiumSource;

/** Inflates the packaged Chromium into os.tmpdir() once per machine (under a lock shared by every process). */
export function packagedChromium(): Promise<PackagedChromium>;

/**
 * A headless Chromium from `source` (default: chromiumSource()).
 * @throws with the executable tried and the launch error, so a test that needs a browser fails saying why.
 */
export function launchChromium(source?: ChromiumSource): Promise<Browser>;
