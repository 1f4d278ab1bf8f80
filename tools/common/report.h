/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reports whose columns the program chooses, for the load generators:
 * echotest prints message counts, rates and fixed RTT quantiles, rpctest a
 * date, the thread and in-flight counts, a rate, and whatever RTT
 * quantiles -q asks for. A report is a list of columns, each a number
 * (with a table width and precisions) or a short text; a row holds one
 * value per column. The same report writes the aligned table (a header
 * line, then rows) and the JSON object (runs and a summary), and takes the
 * median of rows column by column.
 *
 * Also here: quantile lists ("50,90,99,99.9": rpctest's -q, echotest's
 * fixed set) and the columns that show them, with headings "p99.9_us" and
 * keys "rtt_p999_us".
 *
 * Everything is a fixed-size value: no allocation except in
 * report_median(). Nothing prints unless given a FILE, nothing exits.
 */
#ifndef KSF_TOOLS_REPORT_H
#define KSF_TOOLS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#define REPORT_MAX_COLS	40
#define REPORT_MAX_TEXTS 4	/* text columns */
#define REPORT_NAME_MAX	24	/* a heading or key, NUL included */
#define REPORT_TEXT_MAX	24	/* a text value, NUL included */

struct report_col {
	char head[REPORT_NAME_MAX];	/* table heading; "" = JSON only */
	char key[REPORT_NAME_MAX];	/* JSON key; "" = table only */
	int width;			/* table field width */
	int prec, json_prec;		/* digits after the point */
	int text;			/* a text column: 1 + its index in text[] */
	int right;			/* a text column aligned right */
};

struct report {
	struct report_col col[REPORT_MAX_COLS];
	int ncols, ntexts;
};

/* A row: v[c] for number column c, text[col[c].text - 1] for a text one. */
struct report_row {
	double v[REPORT_MAX_COLS];
	char text[REPORT_MAX_TEXTS][REPORT_TEXT_MAX];
};

/* Make *r a report with no columns. */
void report_init(struct report *r);

/* Add a number column or a text column and return its index, or -E2BIG
 * when REPORT_MAX_COLS (or REPORT_MAX_TEXTS text columns) are in use, or
 * -EINVAL when a name is too long. A
 * NULL or empty head keeps the column out of the table, a NULL or empty
 * key keeps it out of JSON. */
int report_add_num(struct report *r, const char *head, const char *key, int width,
		   int prec, int json_prec);
int report_add_text(struct report *r, const char *head, const char *key, int width);
/* A text column aligned right in the table, as numbers are: a row label
 * ("1", "med") under a heading such as "run". Returns as above. */
int report_add_label(struct report *r, const char *head, const char *key, int width);

/* Set a row's value of text column c (truncated to REPORT_TEXT_MAX - 1).
 * Does nothing when c is not a text column. */
void report_set_text(const struct report *r, struct report_row *row, int c, const char *s);

/* The table: the header line, and one row; fields are separated by one
 * space and right-aligned (text columns left-aligned, labels right), a
 * line per call. */
void report_header(FILE *f, const struct report *r);
void report_row(FILE *f, const struct report *r, const struct report_row *row);

/* The row's JSON fields: ", \"key\": value" for each column with a key, in
 * column order, with a leading ", " before each (so that a caller writes
 * "{\"run\": 1" and then this). Text is quoted and escaped. */
void report_json_fields(FILE *f, const struct report *r, const struct report_row *row);

/* The JSON report: one object, written in three steps so that a program
 * can put members of its own between the standard ones:
 *
 *   report_json_open()     {"tool": tool, "version": version
 *   report_json_member()   , "name": (then the caller writes the value)
 *   report_json_close()    , "runs": [{"run": 1, <fields>}, ...],
 *                          "summary": {"runs": n, <fields>}}
 *
 * with <fields> as report_json_fields() writes them, one member a line,
 * one run a line, and a newline at the end. */
void report_json_open(FILE *f, const char *tool, const char *version);
void report_json_member(FILE *f, const char *name);
void report_json_close(FILE *f, const struct report *r, const struct report_row *rows,
		       unsigned n, const struct report_row *summary);

/* *med = for each number column, the median over rows[0..n) (the mean of
 * the two middle values when n is even); text columns are those of
 * rows[0]. n == 0 gives zeros and empty text. Returns 0 or -ENOMEM. */
int report_median(const struct report *r, const struct report_row *rows, unsigned n,
		  struct report_row *med);

/* Median of v[0..n), which it sorts in place; 0.0 when n == 0. */
double report_median_of(double *v, size_t n);

/* ------------------------------------------------------------------------
 * Quantile lists: "50,90,99,99.9" means the 0.5, 0.9, 0.99 and 0.999
 * quantiles. Each item is a percentage in (0, 100] with at most 6 digits
 * after the point; names drop trailing zeros ("99.90" is "99.9").
 */
#define REPORT_MAX_QUANTILES	16

struct report_quantile {
	double q;			/* 0 < q <= 1 */
	char name[16];			/* "99.9": for headings ("p99.9_us") */
	char tag[16];			/* "999": for keys ("rtt_p999_us") */
};

/* Parse s into q[0..max). Returns how many (>= 1), or -EINVAL (bad text,
 * a value out of range, a repeat) or -E2BIG (more than max), with a
 * message in err[errlen]. */
int report_quantiles_parse(const char *s, struct report_quantile *q, int max,
			   char *err, size_t errlen);

/* Add a number column for each of q[0..n): heading "p<name>_us" (at least
 * 9 wide), key "rtt_p<tag>_us", one digit in the table and three in JSON.
 * Returns the index of the first (the others follow it), or -E2BIG as
 * report_add_num(). */
int report_add_quantiles(struct report *r, const struct report_quantile *q, int n);

#endif
