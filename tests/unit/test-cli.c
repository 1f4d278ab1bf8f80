// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of tools/common/cli.c: count and size suffixes, strict errors
 * (sign, spaces, overflow, fractions that are not whole), durations, JSON
 * strings and error messages; and of echotest's table and JSON object
 * (tools/echotest/report.c, compiled in here), which are built on
 * tools/common/runs.c and report.c and which scripts parse.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cli.h"
#include "check.h"
#include "../../tools/echotest/report.c"

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

static void test_json_string(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		CHECK(f != NULL);
		return;
	}
	cli_json_string(f, "a\"b\\c\n");
	fputc(' ', f);
	cli_json_string(f, NULL);
	fclose(f);
	CHECK(strcmp(buf, "\"a\\\"b\\\\c\\u000a\" \"\"") == 0);
	free(buf);
}

static void test_err(void)
{
	char err[8] = "";

	CHECK_EQ(cli_err(-EINVAL, err, sizeof(err), "x %d", 5), -EINVAL);
	CHECK(strcmp(err, "x 5") == 0);
	CHECK_EQ(cli_err(-ERANGE, err, sizeof(err), "%s", "much too long"), -ERANGE);
	CHECK(strcmp(err, "much to") == 0);		/* truncated, terminated */
	CHECK_EQ(cli_err(-ERANGE, NULL, 0, "%s", "nowhere"), -ERANGE);
}

/* ------------------------------------------------------------------------
 * echotest's table and JSON object (tools/echotest/report.c, compiled in
 * above): the header, the columns and the keys that man/echotest.1
 * documents and that scripts parse.
 */
struct et_test {
	struct et_opts o;
	struct et_ctx ctx;
	struct runs_tool rt;
	struct runs runs;
	char title[160];
	struct eng_totals t;
	const struct report_row *row[3];
};

/* Call fn(arg) with stdout going to a temporary file, and return what it
 * wrote (to be freed), or NULL. */
static char *capture_stdout(void (*fn)(struct et_test *), struct et_test *arg)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	char *buf = NULL;
	long len;

	if (!tmp || saved < 0)
		goto out;
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	fn(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	len = ftell(tmp) < 0 ? -1 : (fseek(tmp, 0, SEEK_END), ftell(tmp));
	rewind(tmp);
	buf = len < 0 ? NULL : calloc(1, (size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, tmp) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
out:
	if (saved >= 0)
		close(saved);
	if (tmp)
		fclose(tmp);
	return buf;
}

/* Three runs of 1000, 3000 and 2000 messages of 64 bytes in 2 s each, with
 * RTTs of 1..1000 us and 4 ms of CPU per 1000 messages; then the summary. */
static void three_runs(struct et_test *e)
{
	static const uint64_t msgs[3] = { 1000, 3000, 2000 };

	runs_header(&e->runs);
	hist_init(&e->t.hist);
	for (uint64_t v = 1; v <= 1000; v++)
		hist_add(&e->t.hist, v * 1000);
	for (int i = 0; i < 3; i++) {
		e->t.done = msgs[i];
		e->t.elapsed_ns = 2000000000ULL;
		e->t.cpu_ns = msgs[i] * 4000;
		e->row[i] = runs_row(&e->runs, &e->t);
	}
	CHECK_EQ(runs_end(&e->runs, NULL), 0);
}

static void test_row_values(struct et_test *e)
{
	const struct et_report *r = &e->ctx.rep;
	const struct report_row *row = e->row[0];

	CHECK_NEAR(row->v[r->c_msgs], 1000);
	CHECK_NEAR(row->v[r->c_bytes], 64000);
	CHECK_NEAR(row->v[r->c_secs], 2.0);
	CHECK_NEAR(row->v[r->c_rate], 500.0);
	CHECK_NEAR(row->v[r->c_mbit], 64000 * 8 / 2.0 / 1e6);
	CHECK_NEAR(row->v[r->c_min], 1.0);
	CHECK_NEAR(row->v[r->c_max], 1000.0);
	CHECK_NEAR(row->v[r->c_mean], 500.5);
	CHECK_NEAR(row->v[r->c_cpu], 4.0);
	CHECK(row->v[r->c_q0] > 500 * 0.99 && row->v[r->c_q0] < 500 * 1.01);
	CHECK(row->v[r->c_q0 + 3] > 999 * 0.99 && row->v[r->c_q0 + 3] < 999 * 1.01);
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

static void test_et_table(struct et_test *e)
{
	static const char head[] = " run       msgs     secs      msg/s    Mbit/s    min_us"
		"    p50_us    p90_us    p99_us  p99.9_us    max_us   mean_us cpu_us/msg\n";
	char *buf = capture_stdout(three_runs, e);

	if (!buf) {
		CHECK(buf != NULL);
		return;
	}
	test_row_values(e);
	CHECK(strncmp(buf, head, sizeof(head) - 1) == 0);
	CHECK(strstr(buf, "\n   1       1000    2.000        500      0.26       1.0 ") != NULL);
	CHECK(strstr(buf, "\n med       2000    2.000       1000      0.51       1.0 ") != NULL);
	CHECK(strstr(buf, "      4.00\n") != NULL);		/* cpu_us/msg */
	/* Every line has as many fields as the header: 13, the run label too. */
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		CHECK_EQ(count_words(line), 13);
	free(buf);
}

static void test_et_json(struct et_test *e)
{
	static const char *const keys[] = {
		"msgs", "bytes", "elapsed_s", "msgs_per_s", "mbit_per_s", "rtt_min_us",
		"rtt_p50_us", "rtt_p90_us", "rtt_p99_us", "rtt_p999_us", "rtt_max_us",
		"rtt_mean_us", "cpu_us_per_msg" };
	char *buf = capture_stdout(three_runs, e), *p, key[64];
	int depth = 0, min_depth = 0;

	if (!buf) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(strncmp(buf, "{\n  \"tool\": \"echotest\",\n  \"version\": \"", 38) == 0);
	CHECK(strstr(buf, ",\n  \"config\": {\"target\": \"127.0.0.1\", \"address\": "
		      "\"127.0.0.1:60007\", \"proto\": \"tcp\", ") != NULL);
	CHECK(strstr(buf, ",\n  \"runs\": [\n    {\"run\": 1, \"msgs\": 1000, \"bytes\": "
		      "64000, \"elapsed_s\": 2.000000, \"msgs_per_s\": 500.0, ") != NULL);
	CHECK(strstr(buf, "\n  ],\n  \"summary\": {\"runs\": 3, \"msgs\": 2000, ") != NULL);
	CHECK(strstr(buf, "\"med\"") == NULL && strstr(buf, "table") == NULL);
	p = strstr(buf, "\"summary\"");
	for (size_t i = 0; p && i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "\"%s\": ", keys[i]);
		p = strstr(p, key);		/* each key, in this order */
		CHECK(p != NULL);
	}
	for (p = buf; *p; p++) {	/* braces balance (no braces in strings here) */
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		if (depth < min_depth)
			min_depth = depth;
	}
	CHECK_EQ(depth, 0);
	CHECK_EQ(min_depth, 0);
	CHECK(strlen(buf) > 0 && buf[strlen(buf) - 1] == '\n');
	free(buf);
}

static void test_echotest_report(void)
{
	struct et_test *e = calloc(1, sizeof(*e));	/* holds a hist */
	char err[200];

	if (!e) {
		CHECK(e != NULL);
		return;
	}
	e->o.l.spec = "127.0.0.1";
	e->o.l.threads = 1;
	e->o.l.runs = 3;
	e->o.l.quiet = 1;
	e->o.len = 64;
	e->ctx.o = &e->o;
	e->ctx.eng.prog = "echotest";
	e->ctx.eng.threads = 1;
	CHECK_EQ(target_lookup(&e->ctx.eng.tgt, e->o.l.spec, 60007, SOCK_STREAM, err, sizeof(err)), 0);
	et_tool(&e->rt, &e->ctx, e->title, sizeof(e->title));
	CHECK_EQ(runs_init(&e->runs, &e->rt), 0);
	test_et_table(e);
	runs_free(&e->runs);
	e->o.l.json = 1;
	CHECK_EQ(runs_init(&e->runs, &e->rt), 0);
	test_et_json(e);
	runs_free(&e->runs);
	free(e);
}

int main(void)
{
	test_numbers();
	test_ranges();
	test_durations();
	test_clocks();
	test_json_string();
	test_err();
	test_echotest_report();
	return CHECK_DONE();
}
