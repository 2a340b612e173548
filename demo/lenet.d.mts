// Types for demo/lenet.mjs, which the MNIST accuracy test imports.
import type { Sequential } from "simdcnn";

/** LeNet-5 with dropout, as the demo trains it. */
export function lenet(): Sequential;
