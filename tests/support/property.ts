// fast-check settings shared by the kernel property tests: few runs (the
// machine is shared) and a fixed seed, so a failure reproduces exactly.
export const PROPERTY_RUNS = 30;
export const PROPERTY_SEED = 20240611;
