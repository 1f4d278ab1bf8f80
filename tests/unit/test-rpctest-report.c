// SPDX-License-Identifier: BSD-2-Clause
/*
 * What rpctest added to tools/common, and echotest now uses too: quantile
 * lists and program-chosen report columns with their table and JSON object
 * (report.c), the CDF writer of the histogram (hist.c), the lock-step
 * thread crew (crew.c) and target_connect() (target.c).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "check.h"
#include "crew.h"
#include "hist.h"
#include "report.h"
#include "target.h"

static void test_quantiles(void)
{
	struct report_quantile q[REPORT_MAX_QUANTILES];
	char err[200];
	static const char *const bad[] = { "", "0", "101", "100.5", "-1", "50,", ",50",
					   "1e2", "50x", ".5", "5.", "50,50", "99.9,99.90",
					   "9.99,99.9", "1.0000001" };

	CHECK_EQ(report_quantiles_parse("50,90,99,99.9", q, REPORT_MAX_QUANTILES, err,
					sizeof(err)), 4);
	CHECK(q[0].q > 0.4999 && q[0].q < 0.5001);
	CHECK(q[3].q > 0.9989 && q[3].q < 0.9991);
	CHECK(!strcmp(q[3].name, "99.9") && !strcmp(q[3].tag, "999"));
	CHECK_EQ(report_quantiles_parse("99.90,050,100,0.5", q, REPORT_MAX_QUANTILES, err,
					sizeof(err)), 4);
	CHECK(!strcmp(q[0].name, "99.9"));
	CHECK(!strcmp(q[1].name, "50"));
	CHECK(!strcmp(q[2].name, "100") && q[2].q == 1.0);
	CHECK(!strcmp(q[3].name, "0.5") && !strcmp(q[3].tag, "05"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (report_quantiles_parse(bad[i], q, REPORT_MAX_QUANTILES, err,
					   sizeof(err)) >= 0) {
			check_failures++;
			fprintf(stderr, "FAIL: quantile list '%s' accepted\n", bad[i]);
		}
		CHECK(err[0] != '\0');
	}
	CHECK_EQ(report_quantiles_parse("1,2,3", q, 2, err, sizeof(err)), -E2BIG);
}

/* The header, rows[0] and med as a table, then with whole_json the JSON
 * object (with a member "ok" of our own), else med's JSON fields in
 * braces: a new string, or NULL. */
static char *print_report(const struct report *r, const struct report_row *rows,
			  unsigned n, const struct report_row *med, int whole_json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	report_header(f, r);
	report_row(f, r, &rows[0]);
	report_row(f, r, med);
	if (whole_json) {
		report_json_open(f, "t", "1.0");
		report_json_member(f, "ok");
		fputs("true", f);
		report_json_close(f, r, rows, n, med);
	} else {
		fputc('{', f);
		report_json_fields(f, r, med);
		fputc('}', f);
	}
	fclose(f);
	return buf;
}

static void test_table_json(void)
{
	struct report r;
	struct report_row rows[3], med;
	char *buf;
	int date, run, rate, hidden;

	report_init(&r);
	date = report_add_text(&r, "date", "date", 10);
	run = report_add_text(&r, "run", NULL, 3);
	rate = report_add_num(&r, "RPC/s", "rpc_per_s", 8, 0, 1);
	hidden = report_add_num(&r, NULL, "calls", 0, 0, 0);
	CHECK(date == 0 && run == 1 && rate == 2 && hidden == 3);
	CHECK_EQ(report_add_num(&r, "a-heading-much-too-long-to-fit", "k", 1, 0, 0), -EINVAL);
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < 3; i++) {
		report_set_text(&r, &rows[i], date, i ? "later" : "first");
		report_set_text(&r, &rows[i], run, i == 0 ? "1" : i == 1 ? "2" : "3");
		report_set_text(&r, &rows[i], rate, "ignored: not a text column");
		rows[i].v[rate] = 100.0 * (i == 1 ? 7 : i + 1);		/* 100 700 300 */
		rows[i].v[hidden] = i;
	}
	CHECK_EQ(report_median(&r, rows, 3, &med), 0);
	CHECK(med.v[rate] == 300.0);
	CHECK(med.v[hidden] == 1.0);
	report_set_text(&r, &med, run, "med");
	buf = print_report(&r, rows, 3, &med, 0);
	if (!buf) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(strstr(buf, "date       run    RPC/s\n") == buf);
	CHECK(strstr(buf, "\nfirst      1        100\n") != NULL);
	CHECK(strstr(buf, "\nfirst      med      300\n") != NULL);
	CHECK(strstr(buf, "{, \"date\": \"first\", \"rpc_per_s\": 300.0, \"calls\": 1}") != NULL);
	free(buf);
	{
		double v[] = { 3, 1, 2, 10 };

		CHECK(report_median_of(v, 4) == 2.5);
		CHECK(report_median_of(v, 0) == 0.0);
	}
}

/* A right-aligned label column, quantile columns and the JSON object. */
static void test_label_quantiles_json(void)
{
	struct report_quantile q[REPORT_MAX_QUANTILES];
	struct report r;
	struct report_row rows[2], med;
	char *buf, err[200];
	int run, n, q0;

	report_init(&r);
	n = report_quantiles_parse("50,99.99", q, REPORT_MAX_QUANTILES, err, sizeof(err));
	CHECK_EQ(n, 2);
	run = report_add_label(&r, "run", NULL, 4);
	q0 = report_add_quantiles(&r, q, n);
	CHECK(run == 0 && q0 == 1 && r.ncols == 3);
	CHECK(!strcmp(r.col[1].head, "p50_us") && !strcmp(r.col[1].key, "rtt_p50_us"));
	CHECK(!strcmp(r.col[2].head, "p99.99_us") && !strcmp(r.col[2].key, "rtt_p9999_us"));
	CHECK(r.col[1].width == 9 && r.col[2].width == 9 && r.col[2].json_prec == 3);
	memset(rows, 0, sizeof(rows));
	report_set_text(&r, &rows[0], run, "1");
	report_set_text(&r, &rows[1], run, "2");
	rows[0].v[q0] = 10.0;
	rows[1].v[q0] = 20.0;
	CHECK_EQ(report_median(&r, rows, 2, &med), 0);
	report_set_text(&r, &med, run, "med");
	buf = print_report(&r, rows, 2, &med, 1);
	if (!buf) {
		CHECK(buf != NULL);
		return;
	}
	CHECK(strcmp(buf, " run    p50_us p99.99_us\n"
			  "   1      10.0       0.0\n"
			  " med      15.0       0.0\n"
			  "{\n  \"tool\": \"t\",\n  \"version\": \"1.0\",\n  \"ok\": true,\n"
			  "  \"runs\": [\n"
			  "    {\"run\": 1, \"rtt_p50_us\": 10.000, \"rtt_p9999_us\": 0.000},\n"
			  "    {\"run\": 2, \"rtt_p50_us\": 20.000, \"rtt_p9999_us\": 0.000}\n"
			  "  ],\n  \"summary\": {\"runs\": 2, \"rtt_p50_us\": 15.000, "
			  "\"rtt_p9999_us\": 0.000}\n}\n") == 0);
	free(buf);
	report_init(&r);
	for (int i = 0; i < REPORT_MAX_COLS - 1; i++)
		report_add_num(&r, "x", "x", 1, 0, 0);
	CHECK_EQ(report_add_quantiles(&r, q, 2), -E2BIG);
}

static void test_cdf(struct hist *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int lines = 0;
	const char *last;

	if (!f) {
		CHECK(f != NULL);
		return;
	}
	hist_init(h);
	for (int i = 0; i < 10; i++)
		hist_add(h, 20000);		/* 10 x 20 us */
	hist_add(h, 1000000);			/* 1 x 1 ms */
	CHECK_EQ(hist_write_cdf(f, h), 0);
	fclose(f);
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	CHECK_EQ(lines, 3);			/* comment + two buckets */
	CHECK(strstr(buf, "(11 samples)") != NULL);
	CHECK(strstr(buf, " 0.909090909 10\n") != NULL);
	last = strrchr(buf, '\n');
	while (last > buf && last[-1] != '\n')
		last--;
	CHECK(strncmp(last, "1000.000 1.000000000 1", 22) == 0);
	free(buf);
}

struct crew_test {
	atomic_int hits[4];
};

static void crew_fn(void *arg, unsigned i)
{
	struct crew_test *t = arg;

	atomic_fetch_add(&t->hits[i], 1);
}

static void test_crew(void)
{
	struct crew c;
	struct crew_test t;
	char err[128];

	memset(&t, 0, sizeof(t));
	CHECK_EQ(crew_start(&c, 4, NULL, 0, crew_fn, &t, err, sizeof(err)), 0);
	crew_run(&c);
	crew_run(&c);
	crew_run(&c);
	crew_stop(&c);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(atomic_load(&t.hits[i]), 3);
	memset(&c, 0, sizeof(c));
	crew_stop(&c);				/* a zeroed crew */
}

static void test_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct target t;
	char err[200], spec[32];
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		fprintf(stderr, "SKIP target_connect: no loopback socket\n");
		return;
	}
	snprintf(spec, sizeof(spec), "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
	CHECK_EQ(target_lookup(&t, spec, 1, SOCK_STREAM, err, sizeof(err)), 0);
	fd = target_connect(&t, 0, SOCK_STREAM, 2000000000ULL);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	fd = target_connect(&t, 0, SOCK_DGRAM, 0);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK_EQ(target_connect(&t, 5, SOCK_STREAM, 0), -EINVAL);
	close(lfd);				/* now nothing listens there */
	CHECK_EQ(target_connect(&t, 0, SOCK_STREAM, 2000000000ULL), -ECONNREFUSED);
}

int main(void)
{
	struct hist *h = malloc(sizeof(*h));

	if (!h)
		return 1;
	test_quantiles();
	test_table_json();
	test_label_quantiles_json();
	test_cdf(h);
	test_crew();
	test_connect();
	free(h);
	return CHECK_DONE();
}
