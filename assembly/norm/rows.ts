// Per-channel f64 accumulators for the channels-last (NHWC) fast paths of
// the BatchNorm statistics kernels (f32_channel_moments, f32_batchnorm_bwd).
// Walking a [rows, channels] tensor channel block by channel block reads one
// 16-byte column per row with a stride of `channels` floats: each cache line
// is fetched once per block that touches it, and the stride defeats the
// prefetcher (64x32x32x64 backward: ~37 ms). Walking it row by row instead
// streams the tensor once, with the running sums of every channel of a chunk
// kept here (in L1). Each channel still sums its rows in row order, from
// zero, in f64: the same additions in the same order as the per-block walk,
// so the results are bit for bit what they were.

/** Channels per chunk: a row-major pass covers at most this many channels at a time. */
export const ROW_CHUNK: i32 = 256;

/** Bytes of ROW_ACC. */
export const ROW_ACC_BYTES: i32 = ROW_CHUNK * 32;

/**
 * Scratch of ROW_CHUNK channels x 32 bytes: two f64 running sums per channel
 * (16 bytes), then room for three f32 per-channel factors (12 bytes) and
 * padding. Static data in the single-thread builds; in the threaded ones a
 * global of each instance, pointed into its own block (threads.ts setScratch).
 */
export let ROW_ACC: usize = ASC_FEATURE_THREADS ? 0 : memory.data(ROW_ACC_BYTES, 16);


/**
 * The channels a statistics kernel computes, as cuts from the whole call:
 * its four-wide channels from WIDE_FROM to wide - WIDE_CUT, its channel
 * tail from wide + TAIL_FROM to channels - TAIL_CUT. All 0 (every channel)
 * but while a threaded build's range export (threads.ts) narrows one call
 * (per instance, as ROW_ACC) to split it by channel blocks; each channel
 * is still the same walk over the same rows in the same order, so the
 * split changes no bit. No other build writes them, so binaryen turns them
 * into constants and folds the cuts away.
 */
export let WIDE_FROM: i32 = 0;
export let WIDE_CUT: i32 = 0;
export let TAIL_FROM: i32 = 0;
export let TAIL_CUT: i32 = 0;
