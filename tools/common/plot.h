/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * -d DIR of both load generators: the round-trip times of every run as a
 * CDF file, and a gnuplot script that draws them all (run when gnuplot is
 * installed). The files, for a tool PROG (echotest, rpctest):
 *
 *   DIR/run-N.dat  run N's RTTs as hist_write_cdf() writes them: a comment
 *                  line "# rtt_us fraction_le count (S samples)", then one
 *                  line "rtt_us fraction count" per histogram bucket that
 *                  holds requests, in increasing order; the counts add up
 *                  to the requests the run completed, the last fraction
 *                  is 1.
 *   DIR/PROG.gp    the gnuplot script (RTT on a log scale)
 *   DIR/PROG.png   its picture, when gnuplot is installed
 *
 * Functions return 0, or -1 with a message in err[errlen].
 */
#ifndef KSF_TOOLS_PLOT_H
#define KSF_TOOLS_PLOT_H

#include <stddef.h>
#include "hist.h"

/* Create dir if needed; it must be a writable directory. */
int plot_dir(const char *dir, char *err, size_t errlen);
/* dir/run-N.dat for run N. */
int plot_run(const char *dir, unsigned run, const struct hist *h, char *err, size_t errlen);
/* dir/PROG.gp over runs 1..nruns, titled "PROG: title", the y axis the
 * fraction of what ("calls") within an RTT; then gnuplot on it, and
 * (unless quiet) where the plot is on stderr. */
int plot_finish(const char *dir, const char *prog, const char *title, const char *what,
		unsigned nruns, int quiet, char *err, size_t errlen);

#endif
