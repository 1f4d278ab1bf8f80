// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of tools/common/hist.c: bucket layout, exactness of min/max/
 * count/mean and of small values, quantiles against exact nearest-rank
 * quantiles of sorted samples (error bound 1/128), merge and reset, runs
 * of one value (hist_add_n).
 * Prints each failed check with both values; exit 0 when all pass.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A value spread evenly over log scale from 1 ns to about 100 s. */
static uint64_t log_uniform(void)
{
	unsigned bits = (unsigned)(next_rand() % 37);	/* up to 2^37 ns = 137 s */

	return (next_rand() & ((2ULL << bits) - 1)) | (1ULL << bits);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void test_empty(struct hist *h)
{
	hist_init(h);
	CHECK_EQ(hist_count(h), 0);
	CHECK_EQ(hist_min(h), 0);
	CHECK_EQ(hist_max(h), 0);
	CHECK_EQ(hist_quantile(h, 0.5), 0);
	CHECK(hist_mean(h) == 0.0);
}

static void test_buckets(void)
{
	unsigned prev = 0;

	for (uint64_t v = 0; v < 128; v++)
		CHECK_EQ(hist_bucket_width(hist_bucket_of(v)), 1);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = i < 100000 ? (uint64_t)i * 13 : log_uniform();
		unsigned b = hist_bucket_of(v);
		uint64_t lo = hist_bucket_low(b), w = hist_bucket_width(b);

		if (v < lo || v >= lo + w) {
			fprintf(stderr, "FAIL bucket of %" PRIu64 ": [%" PRIu64 ", %" PRIu64 ")\n",
			       v, lo, lo + w);
			check_failures++;
			break;
		}
		if (lo >= 128 && w * 64 > lo) {
			fprintf(stderr, "FAIL bucket width %" PRIu64 " > low %" PRIu64 "/64\n", w, lo);
			check_failures++;
			break;
		}
		if (i < 100000 && b < prev) {
			fprintf(stderr, "FAIL bucket index not monotonic at %" PRIu64 "\n", v);
			check_failures++;
			break;
		}
		prev = b;
	}
	CHECK_EQ(hist_bucket_of(1ULL << 40), HIST_NBUCKETS - 1);
	CHECK_EQ(hist_bucket_of(UINT64_MAX), HIST_NBUCKETS - 1);
	CHECK_EQ(hist_bucket_of((1ULL << 40) - 1), HIST_NBUCKETS - 1);
}

static void test_small_exact(struct hist *h)
{
	hist_init(h);
	for (uint64_t v = 1; v <= 100; v++)
		hist_add(h, v);
	CHECK_EQ(hist_count(h), 100);
	CHECK_EQ(hist_min(h), 1);
	CHECK_EQ(hist_max(h), 100);
	CHECK_EQ(hist_quantile(h, 0.5), 50);
	CHECK_EQ(hist_quantile(h, 0.9), 90);
	CHECK_EQ(hist_quantile(h, 0.99), 99);
	CHECK_EQ(hist_quantile(h, 0.999), 100);
	CHECK_EQ(hist_quantile(h, 0.0), 1);
	CHECK_EQ(hist_quantile(h, 1.0), 100);
	CHECK_EQ(hist_quantile(h, -3), 1);
	CHECK_EQ(hist_quantile(h, 7), 100);
	CHECK(hist_mean(h) == 50.5);
	hist_reset(h);
	CHECK_EQ(hist_count(h), 0);
	hist_add(h, 123456789);
	CHECK_EQ(hist_quantile(h, 0.5), 123456789);
	CHECK_EQ(hist_min(h), 123456789);
}

/* Quantiles of log-uniform samples against the sorted samples. */
static void test_quantiles(struct hist *h)
{
	static const double qs[] = { 0.001, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999 };
	enum { N = 100003 };
	uint64_t *v = malloc(N * sizeof(*v)), sum = 0;

	if (!v) {
		fprintf(stderr, "FAIL out of memory\n");
		check_failures++;
		return;
	}
	hist_init(h);
	for (int i = 0; i < N; i++) {
		v[i] = log_uniform();
		sum += v[i];
		hist_add(h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	CHECK_EQ(hist_min(h), v[0]);
	CHECK_EQ(hist_max(h), v[N - 1]);
	CHECK(hist_mean(h) == (double)sum / N);
	for (unsigned i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t rank = (uint64_t)(qs[i] * N + 0.999999999);
		uint64_t want = v[rank - 1], got = hist_quantile(h, qs[i]);
		double err = (double)(got > want ? got - want : want - got) / (double)want;

		if (err > 1.0 / 128) {
			fprintf(stderr, "FAIL q=%g: got %" PRIu64 ", exact %" PRIu64 " (error %.4f%%)\n",
			       qs[i], got, want, err * 100);
			check_failures++;
		}
	}
	free(v);
}

static void test_merge(struct hist *a, struct hist *b, struct hist *all)
{
	hist_init(a);
	hist_init(b);
	hist_init(all);
	for (int i = 0; i < 50000; i++) {
		uint64_t x = log_uniform();

		hist_add(i % 3 ? a : b, x);
		hist_add(all, x);
	}
	hist_add(b, 1ULL << 50);	/* beyond the top bucket: max stays exact */
	hist_add(all, 1ULL << 50);
	hist_merge(a, b);
	CHECK_EQ(hist_count(a), hist_count(all));
	CHECK_EQ(hist_min(a), hist_min(all));
	CHECK_EQ(hist_max(a), 1ULL << 50);
	CHECK(!memcmp(a->bucket, all->bucket, sizeof(a->bucket)));
	CHECK_EQ(hist_quantile(a, 0.99), hist_quantile(all, 0.99));
	hist_init(b);
	hist_merge(a, b);	/* merging an empty one changes nothing */
	CHECK_EQ(hist_min(a), hist_min(all));
}

/* hist_add_n(v, n) is n hist_add(v)s, and n = 0 adds nothing. */
static void test_add_n(struct hist *a, struct hist *b)
{
	hist_init(a);
	hist_init(b);
	for (int i = 0; i < 2000; i++) {
		uint64_t x = log_uniform(), n = next_rand() % 5;

		hist_add_n(a, x, n);
		for (uint64_t k = 0; k < n; k++)
			hist_add(b, x);
	}
	CHECK_EQ(hist_count(a), hist_count(b));
	CHECK_EQ(hist_min(a), hist_min(b));
	CHECK_EQ(hist_max(a), hist_max(b));
	CHECK_EQ(a->sum, b->sum);
	CHECK(!memcmp(a->bucket, b->bucket, sizeof(a->bucket)));
}

int main(void)
{
	struct hist *h = malloc(3 * sizeof(*h));

	if (!h)
		return 1;
	test_empty(h);
	test_buckets();
	test_small_exact(h);
	test_quantiles(h);
	test_merge(&h[0], &h[1], &h[2]);
	test_add_n(&h[0], &h[1]);
	free(h);
	return CHECK_DONE();
}
