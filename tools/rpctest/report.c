// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's output: the seed's table (date, threads, in flight, RPC/s,
 * median RTT, Mbit/s, min, the -q quantiles, max; one row per run and a
 * 'med' row of medians over runs), the same fields as one JSON object, and
 * with -d the RTT distribution of every run as a CDF file plus a gnuplot
 * script that draws them all (run when gnuplot is installed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <ksf.h>
#include "cli.h"
#include "rpctest.h"

#define PLOT_SCRIPT	"rpctest.gp"
#define PLOT_IMAGE	"rpctest.png"

/* The columns: table ones in the seed's order, then JSON-only ones. */
static int add_columns(struct rt_report *r, const struct rt_opts *o)
{
	struct report *p = &r->rep;

	r->c_date = report_add_text(p, "date", "date", 19);
	r->c_run = report_add_text(p, "run", NULL, 3);
	r->c_threads = report_add_num(p, "threads", "threads", 7, 0, 0);
	r->c_inflight = report_add_num(p, "inflight", "inflight", 8, 0, 0);
	r->c_rate = report_add_num(p, "RPC/s", "rpc_per_s", 10, 0, 1);
	r->c_rtt = report_add_num(p, "RTT_us", "rtt_us", 8, 1, 3);
	r->c_mbit = report_add_num(p, "Mbit/s", "mbit_per_s", 8, 2, 3);
	r->c_mbyte = o->op == RT_OP_READ || o->op == RT_OP_WRITE ?
		     report_add_num(p, "MB/s", "mb_per_s", 8, 1, 3) : -1;
	r->c_min = report_add_num(p, "min_us", "rtt_min_us", 9, 1, 3);
	r->c_q0 = report_add_quantiles(p, o->q, o->nq);
	if (r->c_q0 < 0)
		return -1;
	r->c_max = report_add_num(p, "max_us", "rtt_max_us", 9, 1, 3);
	r->c_mean = report_add_num(p, NULL, "rtt_mean_us", 0, 0, 3);
	r->c_calls = report_add_num(p, NULL, "calls", 0, 0, 0);
	r->c_lost = report_add_num(p, NULL, "lost", 0, 0, 0);
	r->c_late = report_add_num(p, NULL, "late", 0, 0, 0);
	r->c_secs = report_add_num(p, NULL, "elapsed_s", 0, 0, 6);
	r->c_txb = report_add_num(p, NULL, "bytes_sent", 0, 0, 0);
	r->c_rxb = report_add_num(p, NULL, "bytes_received", 0, 0, 0);
	r->c_cpu = report_add_num(p, "cpu_us/rpc", "cpu_us_per_rpc", 10, 2, 3);
	return r->c_cpu < 0 ? -1 : 0;
}

int rt_report_init(struct rt_report *r, const struct rt_opts *o)
{
	memset(r, 0, sizeof(*r));
	report_init(&r->rep);
	if (add_columns(r, o))
		return -EINVAL;
	r->rows = calloc(o->l.runs, sizeof(*r->rows));
	return r->rows ? 0 : -ENOMEM;
}

void rt_report_free(struct rt_report *r)
{
	free(r->rows);
	r->rows = NULL;
}

void rt_report_header(const struct rt_report *r, const struct rt_opts *o)
{
	if (!o->l.json && !o->l.no_header)
		report_header(stdout, &r->rep);
}

static void fill_row(struct rt_report *r, struct report_row *row, const struct rt_ctx *ctx,
		     const struct rt_totals *t)
{
	const struct rt_opts *o = ctx->o;
	double secs = (double)t->e.elapsed_ns / 1e9;
	char date[32], run[16];
	struct tm tm;

	localtime_r(&t->date, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(run, sizeof(run), "%u", r->nrows + 1);
	report_set_text(&r->rep, row, r->c_date, date);
	report_set_text(&r->rep, row, r->c_run, run);
	row->v[r->c_threads] = o->l.threads;
	row->v[r->c_inflight] = o->l.inflight;
	row->v[r->c_rate] = secs > 0 ? (double)t->e.done / secs : 0;
	row->v[r->c_rtt] = t->rtt_med_us;
	row->v[r->c_mbit] = secs > 0 ? (double)(t->e.tx_bytes + t->e.rx_bytes) * 8 / secs / 1e6 : 0;
	if (r->c_mbyte >= 0)	/* data bytes of READ or WRITE, 10^6 per s */
		row->v[r->c_mbyte] = secs > 0 ? (double)t->e.done * o->size / secs / 1e6 : 0;
	row->v[r->c_min] = (double)hist_min(&t->e.hist) / 1e3;
	for (int i = 0; i < o->nq; i++)
		row->v[r->c_q0 + i] = (double)hist_quantile(&t->e.hist, o->q[i].q) / 1e3;
	row->v[r->c_max] = (double)hist_max(&t->e.hist) / 1e3;
	row->v[r->c_mean] = hist_mean(&t->e.hist) / 1e3;
	row->v[r->c_calls] = (double)t->e.done;
	row->v[r->c_lost] = (double)t->lost;
	row->v[r->c_late] = (double)t->late;
	row->v[r->c_secs] = secs;
	row->v[r->c_txb] = (double)t->e.tx_bytes;
	row->v[r->c_rxb] = (double)t->e.rx_bytes;
	row->v[r->c_cpu] = t->e.done ? (double)t->e.cpu_ns / 1e3 / (double)t->e.done : 0;
}

void rt_report_run(struct rt_report *r, const struct rt_ctx *ctx, const struct rt_totals *t)
{
	struct report_row *row = &r->rows[r->nrows];

	fill_row(r, row, ctx, t);
	r->nrows++;
	if (!ctx->o->l.json) {
		report_row(stdout, &r->rep, row);
		fflush(stdout);
	}
}

static const char *auth_text(const struct rt_opts *o, char *buf, size_t len)
{
	if (o->auth == RT_AUTH_RAW)
		snprintf(buf, len, "%u", o->flavor);
	else
		snprintf(buf, len, "%s", o->auth == RT_AUTH_SYS ? "sys" : "none");
	return buf;
}

/* --export: the NFS workload's settings. */
static void json_nfs(FILE *f, const struct rt_ctx *ctx)
{
	const struct rt_opts *o = ctx->o;

	fputs(", \"export\": ", f);
	cli_json_string(f, o->export);
	fprintf(f, ", \"mount_port\": %u, \"op\": \"%s\"",
		(unsigned)(o->mount_port_set ? o->mount_port : ctx->eng.tgt.port), rt_op_name(o->op));
	if (o->op == RT_OP_READ || o->op == RT_OP_WRITE)
		fprintf(f, ", \"size\": %u", o->size);
	if (o->op == RT_OP_WRITE)
		fprintf(f, ", \"stable\": \"%s\"", rt_stable_name(o->stable));
}

static void json_config(FILE *f, const struct rt_ctx *ctx)
{
	const struct rt_opts *o = ctx->o;
	char auth[16];

	load_json_config(f, &ctx->eng, &o->l, o->udp ? "udp" : "tcp");
	load_json_runs(f, &o->l);
	fprintf(f, ", \"fragment\": %s, \"busy_poll_us\": %llu, \"prog\": %u, \"vers\": %u, "
		"\"proc\": %u, \"rpcvers\": %u, \"args_bytes\": %zu, \"auth\": \"%s\", "
		"\"expect\": \"%s\"", o->frag ? "true" : "false", (unsigned long long)(o->l.busy_poll_ns / 1000),
		o->prog, o->vers, o->proc, o->rpcvers, o->argslen,
		auth_text(o, auth, sizeof(auth)), rt_expect_name(o->expect));
	if (o->export)
		json_nfs(f, ctx);
	if (o->udp)
		fprintf(f, ", \"udp_timeout_s\": %.3f", (double)o->udp_timeout_ns / 1e9);
	if (o->udp && o->udp_loss_pct >= 0)
		fprintf(f, ", \"udp_loss_pct\": %g", o->udp_loss_pct);
	else if (o->udp)
		fprintf(f, ", \"udp_loss\": %llu", (unsigned long long)o->udp_loss);
	fputs(", \"quantiles\": [", f);
	for (int i = 0; i < o->nq; i++)
		fprintf(f, "%s%s", i ? ", " : "", o->q[i].name);
	fputc(']', f);
	load_json_end(f, &o->l);
}

static void json_report(const struct rt_report *r, const struct rt_ctx *ctx,
			const struct report_row *med, const char *why)
{
	FILE *f = stdout;

	report_json_open(f, "rpctest", KSF_VERSION);
	report_json_member(f, "config");
	json_config(f, ctx);
	report_json_member(f, "ok");
	fputs(why ? "false" : "true", f);
	if (why) {
		report_json_member(f, "error");
		cli_json_string(f, why);
	}
	report_json_close(f, &r->rep, r->rows, r->nrows, med);
}

int rt_report_end(struct rt_report *r, const struct rt_ctx *ctx, const char *why)
{
	struct report_row med;

	if (report_median(&r->rep, r->rows, r->nrows, &med)) {
		fputs("rpctest: out of memory\n", stderr);
		return -1;
	}
	report_set_text(&r->rep, &med, r->c_run, "med");
	if (ctx->o->l.json)
		json_report(r, ctx, &med, why);
	else if (!why && r->nrows)
		report_row(stdout, &r->rep, &med);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "rpctest: writing the report: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * -d DIR
 */

int rt_plot_dir(const struct rt_opts *o, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(o->dir, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "-d %s: %s", o->dir, strerror(errno));
		return -1;
	}
	if (stat(o->dir, &st) || !S_ISDIR(st.st_mode) || access(o->dir, W_OK)) {
		snprintf(err, errlen, "-d %s: not a writable directory", o->dir);
		return -1;
	}
	return 0;
}

/* Write path (in -d DIR) with fn; 0 or -1 with a message. */
static int write_file(const struct rt_opts *o, const char *name,
		      int (*fn)(FILE *f, const void *arg), const void *arg,
		      char *err, size_t errlen)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", o->dir, name);
	f = fopen(path, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	rc = fn(f, arg);
	if (fclose(f) || rc) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static int write_cdf(FILE *f, const void *arg)
{
	return hist_write_cdf(f, arg);
}

int rt_plot_run(const struct rt_opts *o, unsigned run, const struct hist *h,
		char *err, size_t errlen)
{
	char name[32];

	snprintf(name, sizeof(name), "run-%u.dat", run);
	return write_file(o, name, write_cdf, h, err, errlen);
}

struct script_arg {
	const struct rt_ctx *ctx;
	unsigned nruns;
};

static int write_script(FILE *f, const void *varg)
{
	const struct script_arg *a = varg;
	const struct rt_opts *o = a->ctx->o;
	char addr[TARGET_ADDRSTR_MAX];

	target_addr_str((const struct sockaddr *)&a->ctx->eng.tgt.addr, addr, sizeof(addr));
	fprintf(f, "# rpctest -d: the RTT distribution of each run (run-N.dat).\n"
		"# Draw it with: gnuplot %s (in this directory); writes %s.\n"
		"set terminal png size 1024,640\n"
		"set output '%s'\n"
		"set title \"rpctest: prog %u vers %u proc %u over %s to %s, %u thread%s, "
		"%u in flight\" noenhanced\n"
		"set xlabel 'round-trip time (us)'\n"
		"set ylabel 'fraction of calls with RTT <= x'\n"
		"set logscale x\n"
		"set yrange [0:1]\n"
		"set grid\n"
		"set key %s\n"
		"plot for [i=1:%u] sprintf('run-%%d.dat', i) using 1:2 with steps "
		"title sprintf('run %%d', i)\n",
		PLOT_SCRIPT, PLOT_IMAGE, PLOT_IMAGE, o->prog, o->vers, o->proc,
		o->udp ? "udp" : "tcp", addr, o->l.threads, o->l.threads == 1 ? "" : "s",
		o->l.inflight, a->nruns > 10 ? "off" : "bottom right", a->nruns);
	return ferror(f) ? -EIO : 0;
}

/* Run gnuplot on the script in DIR. 1 when it drew, 0 when gnuplot is
 * not installed, -1 when it failed. */
static int run_gnuplot(const char *dir)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", PLOT_SCRIPT, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 1 : WEXITSTATUS(status) == 127 ? 0 : -1;
}

int rt_plot_finish(const struct rt_ctx *ctx, unsigned nruns, char *err, size_t errlen)
{
	const struct rt_opts *o = ctx->o;
	struct script_arg a = { ctx, nruns };
	int rc;

	if (!nruns)
		return 0;
	if (write_file(o, PLOT_SCRIPT, write_script, &a, err, errlen))
		return -1;
	rc = run_gnuplot(o->dir);
	if (rc < 0) {
		snprintf(err, errlen, "gnuplot failed on %s/%s", o->dir, PLOT_SCRIPT);
		return -1;
	}
	if (!o->l.quiet)
		fprintf(stderr, rc ? "rpctest: plot in %s/%s\n" :
			"rpctest: gnuplot is not installed: data and script are in %s/ "
			"(%s)\n", o->dir, rc ? PLOT_IMAGE : PLOT_SCRIPT);
	return 0;
}
