// SPDX-License-Identifier: BSD-2-Clause
/*
 * Log-linear latency histogram (see hist.h for the layout and its error
 * bound). Bucket i < 64 holds the value i; after that, group g = k - 6 of
 * 64 buckets holds [2^k, 2^(k+1)) in steps of 2^(k-6). Values 64..127 thus
 * fall in group 0 with unit steps and are exact too.
 */
#include <errno.h>
#include <string.h>
#include "hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_reset(struct hist *h)
{
	hist_init(h);
}

unsigned hist_bucket_of(uint64_t ns)
{
	unsigned k, shift;

	if (ns < HIST_SUB)
		return (unsigned)ns;
	k = 63u - (unsigned)__builtin_clzll(ns);	/* ns in [2^k, 2^(k+1)) */
	if (k >= HIST_TOP_BITS)
		return HIST_NBUCKETS - 1;
	shift = k - HIST_SUB_BITS;
	return HIST_SUB + shift * HIST_SUB + (unsigned)((ns >> shift) - HIST_SUB);
}

uint64_t hist_bucket_low(unsigned idx)
{
	unsigned shift;

	if (idx < HIST_SUB)
		return idx;
	shift = (idx - HIST_SUB) / HIST_SUB;
	return (uint64_t)(HIST_SUB + (idx - HIST_SUB) % HIST_SUB) << shift;
}

uint64_t hist_bucket_width(unsigned idx)
{
	if (idx < HIST_SUB)
		return 1;
	return (uint64_t)1 << ((idx - HIST_SUB) / HIST_SUB);
}

void hist_add_n(struct hist *h, uint64_t ns, uint64_t n)
{
	if (!n)
		return;
	h->bucket[hist_bucket_of(ns)] += n;
	h->count += n;
	h->sum += ns * n;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

void hist_add(struct hist *h, uint64_t ns)
{
	hist_add_n(h, ns, 1);
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

/* ceil(q * count), computed so that q = 0.999, count = 1000 gives 999 and
 * not 1000 through rounding, and kept within 1..count. */
static uint64_t nearest_rank(double q, uint64_t count)
{
	double r = q * (double)count;
	uint64_t rank = (uint64_t)r;

	if ((double)rank < r - 1e-9 * r)
		rank++;
	if (rank < 1)
		rank = 1;
	return rank > count ? count : rank;
}

/* The value reported for bucket i: its midpoint, clamped to [min, max]. */
static uint64_t bucket_value(const struct hist *h, unsigned i)
{
	uint64_t v = hist_bucket_low(i) + (hist_bucket_width(i) - 1) / 2;

	if (v < h->min)
		v = h->min;
	return v > h->max ? h->max : v;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	unsigned i;

	if (!h->count)
		return 0;
	if (!(q > 0.0))		/* also catches NaN */
		return h->min;
	if (q >= 1.0)
		return h->max;
	rank = nearest_rank(q, h->count);
	if (rank == h->count)
		return h->max;	/* the largest sample is known exactly */
	for (i = 0; i < HIST_NBUCKETS - 1; i++) {
		seen += h->bucket[i];
		if (seen >= rank)
			break;
	}
	return bucket_value(h, i);
}

int hist_write_cdf(FILE *f, const struct hist *h)
{
	uint64_t seen = 0;

	fprintf(f, "# rtt_us fraction_le count (%llu samples)\n",
		(unsigned long long)h->count);
	for (unsigned i = 0; i < HIST_NBUCKETS && seen < h->count; i++) {
		if (!h->bucket[i])
			continue;
		seen += h->bucket[i];
		fprintf(f, "%.3f %.9f %llu\n", (double)bucket_value(h, i) / 1e3,
			(double)seen / (double)h->count, (unsigned long long)h->bucket[i]);
	}
	return ferror(f) ? -EIO : 0;
}
