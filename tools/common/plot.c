// SPDX-License-Identifier: BSD-2-Clause
/*
 * -d DIR: the RTT distribution of every run and a gnuplot script (see
 * plot.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "plot.h"

int plot_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "-d %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK)) {
		snprintf(err, errlen, "-d %s: not a writable directory", dir);
		return -1;
	}
	return 0;
}

/* Open dir/name for writing. NULL with a message. */
static FILE *open_file(const char *dir, const char *name, char *path, size_t len,
		       char *err, size_t errlen)
{
	FILE *f;

	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return f;
}

/* Close f, written with rc; 0 or -1 with a message. */
static int close_file(FILE *f, int rc, const char *path, char *err, size_t errlen)
{
	if (fclose(f) || rc) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int plot_run(const char *dir, unsigned run, const struct hist *h, char *err, size_t errlen)
{
	char name[32], path[4096];
	FILE *f;

	snprintf(name, sizeof(name), "run-%u.dat", run);
	f = open_file(dir, name, path, sizeof(path), err, errlen);
	return f ? close_file(f, hist_write_cdf(f, h), path, err, errlen) : -1;
}

/* Run gnuplot on script in dir. 1 when it drew, 0 when gnuplot is not
 * installed, -1 when it failed. */
static int run_gnuplot(const char *dir, const char *script)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 1 : WEXITSTATUS(status) == 127 ? 0 : -1;
}

int plot_finish(const char *dir, const char *prog, const char *title, const char *what,
		unsigned nruns, int quiet, char *err, size_t errlen)
{
	char script[64], image[64], path[4096];
	FILE *f;
	int rc;

	if (!nruns)
		return 0;
	snprintf(script, sizeof(script), "%s.gp", prog);
	snprintf(image, sizeof(image), "%s.png", prog);
	f = open_file(dir, script, path, sizeof(path), err, errlen);
	if (!f)
		return -1;
	fprintf(f, "# %s -d: the RTT distribution of each run (run-N.dat).\n"
		"# Draw it with: gnuplot %s (in this directory); writes %s.\n"
		"set terminal png size 1024,640\n"
		"set output '%s'\n"
		"set title \"%s: %s\" noenhanced\n"
		"set xlabel 'round-trip time (us)'\n"
		"set ylabel 'fraction of %s with RTT <= x'\n"
		"set logscale x\n"
		"set yrange [0:1]\n"
		"set grid\n"
		"set key %s\n"
		"plot for [i=1:%u] sprintf('run-%%d.dat', i) using 1:2 with steps "
		"title sprintf('run %%d', i)\n",
		prog, script, image, image, prog, title, what,
		nruns > 10 ? "off" : "bottom right", nruns);
	if (close_file(f, ferror(f) ? -EIO : 0, path, err, errlen))
		return -1;
	rc = run_gnuplot(dir, script);
	if (rc < 0) {
		snprintf(err, errlen, "gnuplot failed on %s/%s", dir, script);
		return -1;
	}
	if (!quiet)
		fprintf(stderr, rc ? "%s: plot in %s/%s\n" :
			"%s: gnuplot is not installed: data and script are in %s/ (%s)\n",
			prog, dir, rc ? image : script);
	return 0;
}
