// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of tools/common/cli.c: count and size suffixes, strict errors
 * (sign, spaces, overflow, fractions that are not whole), durations, the
 * result row arithmetic, medians over runs, and the table and JSON writers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "check.h"

#define CHECK_NEAR(a, b) do { double a_ = (a), b_ = (b); \
	if (a_ - b_ > 1e-9 * (b_ < 0 ? -b_ : b_) + 1e-12 || \
	    b_ - a_ > 1e-9 * (b_ < 0 ? -b_ : b_) + 1e-12) { check_failures++; \
	fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s == %s: %.9g != %.9g\n", \
		__FILE__, __LINE__, #a, #b, a_, b_); } } while (0)

struct num_case {
	const char *s;
	enum cli_unit unit;
	int rc;
	uint64_t v;
};

static const struct num_case num_cases[] = {
	{ "0", CLI_COUNT, 0, 0 },
	{ "100000", CLI_COUNT, 0, 100000 },
	{ "3M", CLI_COUNT, 0, 3000000 },
	{ "3m", CLI_COUNT, 0, 3000000 },
	{ "9k", CLI_COUNT, 0, 9000 },
	{ "2G", CLI_COUNT, 0, 2000000000 },
	{ "1.5K", CLI_COUNT, 0, 1500 },
	{ "0.001G", CLI_COUNT, 0, 1000000 },
	{ "18446744073709551615", CLI_COUNT, 0, UINT64_MAX },
	{ "1K", CLI_SIZE, 0, 1024 },
	{ "1Ki", CLI_SIZE, 0, 1024 },
	{ "1KiB", CLI_SIZE, 0, 1024 },
	{ "1KB", CLI_SIZE, 0, 1024 },
	{ "64B", CLI_SIZE, 0, 64 },
	{ "16M", CLI_SIZE, 0, 16777216 },
	{ "1MiB", CLI_SIZE, 0, 1048576 },
	{ "1G", CLI_SIZE, 0, 1073741824 },
	{ "1.5K", CLI_SIZE, 0, 1536 },
	{ "0.5Ki", CLI_SIZE, 0, 512 },
	{ "", CLI_COUNT, -EINVAL, 0 },
	{ "-1", CLI_COUNT, -EINVAL, 0 },
	{ "+1", CLI_COUNT, -EINVAL, 0 },
	{ " 1", CLI_COUNT, -EINVAL, 0 },
	{ "1 ", CLI_COUNT, -EINVAL, 0 },
	{ "0x10", CLI_COUNT, -EINVAL, 0 },
	{ "1.5", CLI_COUNT, -EINVAL, 0 },
	{ "1.0001K", CLI_COUNT, -EINVAL, 0 },
	{ "1.", CLI_COUNT, -EINVAL, 0 },
	{ ".5K", CLI_COUNT, -EINVAL, 0 },
	{ "3X", CLI_COUNT, -EINVAL, 0 },
	{ "3MM", CLI_COUNT, -EINVAL, 0 },
	{ "1Ki", CLI_COUNT, -EINVAL, 0 },
	{ "64B", CLI_COUNT, -EINVAL, 0 },
	{ "1Kib", CLI_SIZE, -EINVAL, 0 },
	{ "1iB", CLI_SIZE, -EINVAL, 0 },
	{ "0.3B", CLI_SIZE, -EINVAL, 0 },
	{ "1.0000000001G", CLI_COUNT, -EINVAL, 0 },	/* too many digits */
	{ "18446744073709551616", CLI_COUNT, -ERANGE, 0 },
	{ "20000000000G", CLI_COUNT, -ERANGE, 0 },
	{ "17179869184G", CLI_SIZE, -ERANGE, 0 },
};

static void test_numbers(void)
{
	for (size_t i = 0; i < sizeof(num_cases) / sizeof(num_cases[0]); i++) {
		const struct num_case *c = &num_cases[i];
		uint64_t v = 12345;
		char err[200] = "";
		int rc = cli_parse_u64(c->s, c->unit, 0, UINT64_MAX, &v, err, sizeof(err));

		if (rc != c->rc || (rc == 0 && v != c->v) || (rc != 0 && !err[0]) ||
		    (rc != 0 && v != 12345)) {
			check_failures++;
			fprintf(stderr, "FAIL '%s' (%s): rc %d value %llu, want rc %d value "
				"%llu; message '%s'\n", c->s, c->unit == CLI_SIZE ? "size" :
				"count", rc, (unsigned long long)v, c->rc,
				(unsigned long long)c->v, err);
		}
	}
}

static void test_ranges(void)
{
	uint64_t v = 0;
	char err[200] = "";

	CHECK_EQ(cli_parse_u64("5", CLI_COUNT, 1, 4, &v, err, sizeof(err)), -ERANGE);
	CHECK(strstr(err, "1..4") != NULL);
	CHECK_EQ(cli_parse_u64("0", CLI_COUNT, 1, 4, &v, NULL, 0), -ERANGE);
	CHECK_EQ(cli_parse_u64("4", CLI_COUNT, 1, 4, &v, NULL, 0), 0);
	CHECK_EQ(v, 4);
	CHECK_EQ(cli_parse_u64(NULL, CLI_COUNT, 0, 4, &v, NULL, 0), -EINVAL);
	CHECK_EQ(cli_parse_u64("1G", CLI_SIZE, 1, 1ULL << 30, &v, NULL, 0), 0);
	CHECK_EQ(cli_parse_u64("1025M", CLI_SIZE, 1, 1ULL << 30, &v, NULL, 0), -ERANGE);
}

static void test_durations(void)
{
	uint64_t ns = 0, max = 3600ULL * 1000000000ULL;
	char err[200] = "";

	CHECK_EQ(cli_parse_duration("10", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 10000000000LL);
	CHECK_EQ(cli_parse_duration("0.5", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 500000000);
	CHECK_EQ(cli_parse_duration("1.25s", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 1250000000);
	CHECK_EQ(cli_parse_duration("250ms", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 250000000);
	CHECK_EQ(cli_parse_duration("100us", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 100000);
	CHECK_EQ(cli_parse_duration("0", max, &ns, NULL, 0), 0);
	CHECK_EQ(ns, 0);
	CHECK_EQ(cli_parse_duration("3601", max, &ns, err, sizeof(err)), -ERANGE);
	CHECK(err[0] != '\0');
	CHECK_EQ(cli_parse_duration("1m", max, &ns, NULL, 0), -EINVAL);
	CHECK_EQ(cli_parse_duration("-1", max, &ns, NULL, 0), -EINVAL);
	CHECK_EQ(cli_parse_duration("1e3", max, &ns, NULL, 0), -EINVAL);
	CHECK_EQ(cli_parse_duration("99999999999999999999", max, &ns, NULL, 0), -ERANGE);
}

static void test_clocks(void)
{
	uint64_t a = cli_now_ns(), b = cli_now_ns();

	CHECK(a > 0 && b >= a);
	CHECK(cli_cpu_ns() > 0);
}

static void test_result(struct hist *h)
{
	struct cli_result r;

	hist_init(h);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_add(h, v * 1000);		/* 1..1000 us */
	cli_result_fill(&r, 1000, 64000, 2000000000ULL, 4000000ULL, h);
	CHECK_NEAR(r.v[CLI_MSGS], 1000);
	CHECK_NEAR(r.v[CLI_BYTES], 64000);
	CHECK_NEAR(r.v[CLI_SECS], 2.0);
	CHECK_NEAR(r.v[CLI_RATE], 500.0);
	CHECK_NEAR(r.v[CLI_MBIT], 64000 * 8 / 2.0 / 1e6);
	CHECK_NEAR(r.v[CLI_RTT_MIN], 1.0);
	CHECK_NEAR(r.v[CLI_RTT_MAX], 1000.0);
	CHECK_NEAR(r.v[CLI_RTT_MEAN], 500.5);
	CHECK_NEAR(r.v[CLI_CPU], 4.0);
	CHECK(r.v[CLI_RTT_P50] > 500 * 0.99 && r.v[CLI_RTT_P50] < 500 * 1.01);
	CHECK(r.v[CLI_RTT_P999] > 999 * 0.99 && r.v[CLI_RTT_P999] < 999 * 1.01);

	hist_init(h);
	cli_result_fill(&r, 0, 0, 0, 0, h);	/* an empty run: zeros, no NaN */
	for (int c = 0; c < CLI_NCOLS; c++)
		CHECK_NEAR(r.v[c], 0.0);
}

static void test_median(void)
{
	struct cli_result runs[4], med;

	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < 4; i++) {
		runs[i].v[CLI_RATE] = (double)(i == 2 ? 100 : i);	/* 0 1 100 3 */
		runs[i].v[CLI_RTT_P50] = 10.0 - i;			/* 10 9 8 7 */
	}
	CHECK_EQ(cli_result_median(&med, runs, 3), 0);
	CHECK_NEAR(med.v[CLI_RATE], 1.0);
	CHECK_NEAR(med.v[CLI_RTT_P50], 9.0);
	CHECK_EQ(cli_result_median(&med, runs, 4), 0);
	CHECK_NEAR(med.v[CLI_RATE], 2.0);
	CHECK_NEAR(med.v[CLI_RTT_P50], 8.5);
	CHECK_EQ(cli_result_median(&med, runs, 1), 0);
	CHECK_NEAR(med.v[CLI_RATE], 0.0);
	CHECK_EQ(cli_result_median(&med, runs, 0), 0);
	CHECK_NEAR(med.v[CLI_RTT_P50], 0.0);
}

static int count_words(const char *line)
{
	int n = 0, in = 0;

	for (; *line && *line != '\n'; line++) {
		if (*line != ' ' && !in)
			n++;
		in = *line != ' ';
	}
	return n;
}

static void test_table(void)
{
	struct cli_result r = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		CHECK(f != NULL);
		return;
	}
	r.v[CLI_MSGS] = 100000;
	r.v[CLI_RATE] = 95000.4;
	cli_table_header(f);
	cli_table_row(f, "1", &r);
	cli_table_row(f, "med", &r);
	fclose(f);
	CHECK(strncmp(buf, " run       msgs", 15) == 0);
	CHECK(strstr(buf, "p99.9_us") != NULL);
	CHECK(strstr(buf, "cpu_us/msg") != NULL);
	CHECK(strstr(buf, "\n med     100000") != NULL);
	CHECK(strstr(buf, "95000") != NULL);
	/* Every line has as many fields as the header: CLI_NCOLS - bytes + run. */
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		CHECK_EQ(count_words(line), CLI_NCOLS);
	free(buf);
}

static void config(FILE *f, void *arg)
{
	fprintf(f, "{\"target\": ");
	cli_json_string(f, arg);
	fputc('}', f);
}

static void test_json(void)
{
	struct cli_result runs[2] = { { { 0 } } }, med = { { 0 } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int depth = 0, min_depth = 0;

	if (!f) {
		CHECK(f != NULL);
		return;
	}
	runs[1].v[CLI_MSGS] = 7;
	cli_json_report(f, "tool", "1.0", config, "a\"b\\c\n", runs, 2, &med);
	fclose(f);
	CHECK(strstr(buf, "\"tool\": \"tool\"") != NULL);
	CHECK(strstr(buf, "\"target\": \"a\\\"b\\\\c\\u000a\"") != NULL);
	CHECK(strstr(buf, "{\"run\": 2, \"msgs\": 7, \"bytes\": 0") != NULL);
	CHECK(strstr(buf, "\"summary\": {\"runs\": 2,") != NULL);
	for (int c = 0; c < CLI_NCOLS; c++) {
		char key[64];

		snprintf(key, sizeof(key), "\"%s\": ", cli_col_key(c));
		CHECK(strstr(buf, key) != NULL);
	}
	for (const char *p = buf; *p; p++) {	/* braces balance (no braces in strings here) */
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		if (depth < min_depth)
			min_depth = depth;
	}
	CHECK_EQ(depth, 0);
	CHECK_EQ(min_depth, 0);
	CHECK(len > 0 && buf[len - 1] == '\n');
	free(buf);
}

int main(void)
{
	struct hist *h = malloc(sizeof(*h));

	if (!h)
		return 1;
	test_numbers();
	test_ranges();
	test_durations();
	test_clocks();
	test_result(h);
	test_median();
	test_table();
	test_json();
	free(h);
	return CHECK_DONE();
}
