/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A log-linear latency histogram in the manner of HdrHistogram, for the load
 * generators. Values are nanoseconds. Values below 128 are counted exactly;
 * above that, each power of two [2^k, 2^(k+1)) is cut into 64 equal
 * sub-buckets, so a bucket is at most 1/64 of its lower bound wide and the
 * value reported for it (its midpoint) is within 1/128 (0.8%) of any sample
 * it holds. Buckets reach 2^40 ns (about 18 minutes); larger samples are
 * counted in the last bucket. min, max, count and mean are exact.
 *
 * The structure is a fixed-size value (about 18 KiB): no allocation, ever,
 * and hist_add() is a few instructions. It is not thread-safe; give each
 * thread its own and hist_merge() them.
 */
#ifndef KSF_TOOLS_HIST_H
#define KSF_TOOLS_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_SUB_BITS	6
#define HIST_SUB	(1u << HIST_SUB_BITS)		/* sub-buckets per power of two */
#define HIST_TOP_BITS	40				/* values < 2^40 ns are bucketed */
#define HIST_NBUCKETS	(HIST_SUB + (HIST_TOP_BITS - HIST_SUB_BITS) * HIST_SUB)

struct hist {
	uint64_t count;
	uint64_t sum;		/* of all samples, for the mean */
	uint64_t min;		/* UINT64_MAX while empty */
	uint64_t max;
	uint64_t bucket[HIST_NBUCKETS];
};

/* Make *h an empty histogram. hist_reset() is the same thing, named for reuse. */
void hist_init(struct hist *h);
void hist_reset(struct hist *h);

/* Count one sample of ns nanoseconds; or n samples of ns at once. */
void hist_add(struct hist *h, uint64_t ns);
void hist_add_n(struct hist *h, uint64_t ns, uint64_t n);

/* Add every sample of src to dst. src is unchanged. */
void hist_merge(struct hist *dst, const struct hist *src);

/* Number of samples; exact smallest and largest sample (0 when empty);
 * arithmetic mean (0.0 when empty). */
uint64_t hist_count(const struct hist *h);
uint64_t hist_min(const struct hist *h);
uint64_t hist_max(const struct hist *h);
double hist_mean(const struct hist *h);

/* The q-quantile (q in 0..1, clamped) by the nearest-rank method: the
 * smallest sample value v such that at least ceil(q * count) samples are
 * <= v, reported as the midpoint of v's bucket and clamped to [min, max].
 * q = 0 gives the exact minimum, q = 1 the exact maximum. 0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);

/* Write the distribution as a CDF for plotting: a comment line, then one
 * line per non-empty bucket, "rtt_us fraction count": the bucket's value
 * (as hist_quantile reports it) in microseconds, the fraction of samples
 * at or below it, and the samples in it. Memory stays bounded however many
 * samples there are. Returns 0, or -EIO when the stream has an error. */
int hist_write_cdf(FILE *f, const struct hist *h);

/* Bucket index of a value, and the lowest value and the width of a bucket;
 * exposed for the unit test. */
unsigned hist_bucket_of(uint64_t ns);
uint64_t hist_bucket_low(unsigned idx);
uint64_t hist_bucket_width(unsigned idx);

#endif
