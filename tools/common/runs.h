/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The runs of a load generator and their report, the same in both tools:
 * connect every thread (eng_create()), do -i runs over the same
 * connections, after each run print its table row, a progress line on
 * stderr (unless --quiet) and with -v a line per thread, and with -d DIR
 * write its RTT distribution (plot.h); at the end the 'med' row of
 * medians over runs, or the whole JSON object ({"tool", "version",
 * "config", "ok", "error" when it failed, "runs", "summary"}), and the
 * gnuplot script. A tool fills in struct runs_tool: its columns, a row
 * from a run's totals, its JSON config, and what its progress line says.
 */
#ifndef KSF_TOOLS_RUNS_H
#define KSF_TOOLS_RUNS_H

#include <stdio.h>
#include "engine.h"
#include "flag.h"
#include "report.h"

struct runs_tool {
	const struct load_opts *l;
	struct eng *e;
	void *tool;			/* handed to every hook */
	const char *unit;		/* "msgs", "calls" */
	const char *plot_title;		/* -d: the picture's title */
	size_t totals_size;		/* the tool's totals: struct eng_totals first */
	/* The columns; returns the index of the run's label column, or < 0. */
	int (*columns)(void *tool, struct report *rep);
	/* One run into t: eng_run_once() and what the tool counts. 0 or -1
	 * (t->why says why). NULL: eng_run_once(). */
	int (*run)(void *tool, struct eng_totals *t);
	/* A run's row of rep from its totals (the label column is set). */
	void (*fill)(void *tool, const struct report *rep, struct report_row *row,
		     const struct eng_totals *t);
	/* The progress line's end after ", %.0f <rate unit>": e.g. "msg/s,
	 * p50 12.3 us". */
	void (*progress)(void *tool, const struct eng_totals *t, char *buf, size_t len);
	/* -v: what a thread's line says after "N msgs, p50 X us, T s" (may
	 * be NULL). */
	void (*thread)(void *tool, unsigned i, char *buf, size_t len);
	/* The JSON config object, "{...}". */
	void (*json_config)(void *tool, FILE *f);
	/* A signal that should end the runs (0: none); may be NULL. */
	int (*signalled)(void);
};

/* Everything after the setup: the exit status (0, or 1 on any failure,
 * said on stderr; eng_destroy() is done). */
int runs_main(const struct runs_tool *rt);

/* The pieces of runs_main(), for tests. */
struct runs {
	const struct runs_tool *rt;
	struct report rep;
	struct report_row *rows;	/* one per run */
	unsigned nrows;
	int c_run;			/* the label column */
	struct eng_totals *t;		/* the tool's totals */
};
/* The columns, the rows and the totals: 0 or -1 (out of memory);
 * runs_free() either way. */
int runs_init(struct runs *r, const struct runs_tool *rt);
void runs_free(struct runs *r);
/* The header line (unless -H or --json). */
void runs_header(const struct runs *r);
/* The next run's row from t: printed (table), with the progress line
 * (unless --quiet) and -v's thread lines. */
const struct report_row *runs_row(struct runs *r, const struct eng_totals *t);
/* The summary: the 'med' row (unless why), or the whole JSON object (with
 * why as its error). 0, or -1 on a write error. */
int runs_end(struct runs *r, const char *why);

#endif
