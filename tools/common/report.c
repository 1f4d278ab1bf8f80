// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reports with program-chosen columns, their JSON object, and quantile
 * lists (see report.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "report.h"

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
}

static int set_name(char *dst, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= REPORT_NAME_MAX)
		return -EINVAL;
	memcpy(dst, s ? s : "", n);
	dst[n] = '\0';
	return 0;
}

enum col_kind { COL_NUM, COL_TEXT, COL_LABEL };

static int add_col(struct report *r, const char *head, const char *key, int width,
		   int prec, int json_prec, enum col_kind kind)
{
	int text = kind != COL_NUM;

	struct report_col *c;

	if (r->ncols >= REPORT_MAX_COLS || (text && r->ntexts >= REPORT_MAX_TEXTS))
		return -E2BIG;
	c = &r->col[r->ncols];
	memset(c, 0, sizeof(*c));
	if (set_name(c->head, head) || set_name(c->key, key))
		return -EINVAL;
	c->width = width;
	c->prec = prec;
	c->json_prec = json_prec;
	c->text = text ? ++r->ntexts : 0;
	c->right = kind == COL_LABEL;
	return r->ncols++;
}

int report_add_num(struct report *r, const char *head, const char *key, int width,
		   int prec, int json_prec)
{
	return add_col(r, head, key, width, prec, json_prec, COL_NUM);
}

int report_add_text(struct report *r, const char *head, const char *key, int width)
{
	return add_col(r, head, key, width, 0, 0, COL_TEXT);
}

int report_add_label(struct report *r, const char *head, const char *key, int width)
{
	return add_col(r, head, key, width, 0, 0, COL_LABEL);
}

void report_set_text(const struct report *r, struct report_row *row, int c, const char *s)
{
	if (c < 0 || c >= r->ncols || !r->col[c].text)
		return;
	snprintf(row->text[r->col[c].text - 1], REPORT_TEXT_MAX, "%s", s ? s : "");
}

/* Text is left-aligned in the table, numbers and labels right. */
static int left(const struct report_col *c)
{
	return c->text && !c->right;
}

void report_header(FILE *f, const struct report *r)
{
	int first = 1;

	for (int i = 0; i < r->ncols; i++) {
		const struct report_col *c = &r->col[i];

		if (!c->head[0])
			continue;
		fprintf(f, left(c) ? "%s%-*s" : "%s%*s", first ? "" : " ", c->width, c->head);
		first = 0;
	}
	fputc('\n', f);
}

void report_row(FILE *f, const struct report *r, const struct report_row *row)
{
	int first = 1;

	for (int i = 0; i < r->ncols; i++) {
		const struct report_col *c = &r->col[i];

		if (!c->head[0])
			continue;
		if (c->text)
			fprintf(f, left(c) ? "%s%-*s" : "%s%*s", first ? "" : " ", c->width,
				row->text[c->text - 1]);
		else
			fprintf(f, "%s%*.*f", first ? "" : " ", c->width, c->prec, row->v[i]);
		first = 0;
	}
	fputc('\n', f);
}

void report_json_fields(FILE *f, const struct report *r, const struct report_row *row)
{
	for (int i = 0; i < r->ncols; i++) {
		const struct report_col *c = &r->col[i];

		if (!c->key[0])
			continue;
		fputs(", ", f);
		cli_json_string(f, c->key);
		fputs(": ", f);
		if (c->text)
			cli_json_string(f, row->text[c->text - 1]);
		else
			fprintf(f, "%.*f", c->json_prec, row->v[i]);
	}
}

void report_json_open(FILE *f, const char *tool, const char *version)
{
	fputs("{\n  \"tool\": ", f);
	cli_json_string(f, tool);
	report_json_member(f, "version");
	cli_json_string(f, version);
}

void report_json_member(FILE *f, const char *name)
{
	fputs(",\n  ", f);
	cli_json_string(f, name);
	fputs(": ", f);
}

void report_json_close(FILE *f, const struct report *r, const struct report_row *rows,
		       unsigned n, const struct report_row *summary)
{
	report_json_member(f, "runs");
	fputc('[', f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"run\": %u", i ? "," : "", i + 1);
		report_json_fields(f, r, &rows[i]);
		fputc('}', f);
	}
	fputs("\n  ]", f);
	report_json_member(f, "summary");
	fprintf(f, "{\"runs\": %u", n);
	report_json_fields(f, r, summary);
	fputs("}\n}\n", f);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double report_median_of(double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int report_median(const struct report *r, const struct report_row *rows, unsigned n,
		  struct report_row *med)
{
	double *col;

	memset(med, 0, sizeof(*med));
	if (n == 0)
		return 0;
	col = malloc(n * sizeof(*col));
	if (!col)
		return -ENOMEM;
	memcpy(med->text, rows[0].text, sizeof(med->text));
	for (int c = 0; c < r->ncols; c++) {
		if (r->col[c].text)
			continue;
		for (unsigned i = 0; i < n; i++)
			col[i] = rows[i].v[c];
		med->v[c] = report_median_of(col, n);
	}
	free(col);
	return 0;
}

/* One item of a quantile list, s[0..n): a percentage like "99.9". */
static int parse_quantile(const char *s, size_t n, struct report_quantile *q,
			  char *err, size_t errlen)
{
	char buf[sizeof(q->name)], *dot;
	size_t ip_len, k = 0;
	double v;

	if (n == 0 || n >= sizeof(buf))
		return cli_err(-EINVAL, err, errlen, "quantile '%.*s' is empty or too long",
			       (int)(n < 40 ? n : 40), s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	ip_len = strspn(buf, "0123456789");
	dot = buf + ip_len;
	if (ip_len == 0 || (*dot && (*dot != '.' || !dot[1] ||
				     strspn(dot + 1, "0123456789") != strlen(dot + 1) ||
				     strlen(dot + 1) > 6)))
		return cli_err(-EINVAL, err, errlen, "quantile '%s' is not a percentage like "
			       "50 or 99.9", buf);
	v = strtod(buf, NULL);
	if (!(v > 0.0) || v > 100.0)
		return cli_err(-EINVAL, err, errlen, "quantile '%s' is not in (0, 100]", buf);
	if (*dot) {	/* drop trailing zeros, and the point if nothing is left */
		char *end = buf + n;

		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	while (buf[0] == '0' && buf[1] && buf[1] != '.')	/* "050" is "50" */
		memmove(buf, buf + 1, strlen(buf));
	q->q = v / 100.0;
	memcpy(q->name, buf, sizeof(q->name));
	for (const char *p = buf; *p; p++)
		if (*p != '.')
			q->tag[k++] = *p;
	q->tag[k] = '\0';
	return 0;
}

int report_quantiles_parse(const char *s, struct report_quantile *q, int max,
			   char *err, size_t errlen)
{
	int n = 0, rc;

	if (!s || !*s)
		return cli_err(-EINVAL, err, errlen, "empty quantile list");
	for (;;) {
		size_t len = strcspn(s, ",");

		if (n == max)
			return cli_err(-E2BIG, err, errlen, "more than %d quantiles", max);
		rc = parse_quantile(s, len, &q[n], err, errlen);
		if (rc)
			return rc;
		for (int i = 0; i < n; i++)
			if (!strcmp(q[i].tag, q[n].tag))
				return cli_err(-EINVAL, err, errlen, "quantiles %s and %s: "
					       "given twice or sharing the key rtt_p%s_us",
					       q[i].name, q[n].name, q[n].tag);
		n++;
		if (!s[len])
			return n;
		s += len + 1;
	}
}

int report_add_quantiles(struct report *r, const struct report_quantile *q, int n)
{
	char head[REPORT_NAME_MAX], key[REPORT_NAME_MAX];
	int first = r->ncols, c;

	for (int i = 0; i < n; i++) {
		snprintf(head, sizeof(head), "p%s_us", q[i].name);
		snprintf(key, sizeof(key), "rtt_p%s_us", q[i].tag);
		c = report_add_num(r, head, key, (int)strlen(head) > 9 ? (int)strlen(head) : 9,
				   1, 3);
		if (c < 0)
			return c;
	}
	return first;
}
