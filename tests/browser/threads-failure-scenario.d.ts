// Types of threads-failure-scenario.js (plain JavaScript so the page can import it unbuilt).
import type { Capabilities } from "simdcnn";
import type { Library } from "./scenario.js";

export interface TerminateResult {
  initReturned: Capabilities;
  /** Web Workers the pool made: its worker and its watcher. */
  threadsMade: number;
  /** What the first failing predict threw, or null when none did. */
  error: { name: string; message: string } | null;
  calls: number;
  ms: number;
  after: Capabilities;
  /** The first outputs of a predict after the failure. */
  next: number[];
}

export declare function terminateWorker(lib: Library, input: { x: number[]; deaf: boolean }): Promise<TerminateResult>;

export declare function neverAnswers(lib: Library): Promise<{ initReturned: Capabilities; ms: number }>;
