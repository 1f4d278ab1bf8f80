// SPDX-License-Identifier: BSD-2-Clause
/* Options shared by every ksf service (see svcopt.h). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "svcopt.h"

enum {
	O_BACKEND = 256, O_BUSY, O_STEER, O_NOPIN, O_MAXCONNS, O_OUTQHIGH, O_OUTQLOW,
	O_OUTQMAX, O_MAXMSG, O_IDLE, O_DRAIN, O_BUFSIZE, O_NBUFS, O_BACKLOG, O_UDP, O_NOUDP,
	O_BATCHWAIT, O_BATCHCQES, O_IDLETRIM,
};

static const struct option longopts[] = {
	{ "port", required_argument, NULL, 'p' },
	{ "addr", required_argument, NULL, 'a' },
	{ "workers", required_argument, NULL, 'w' },
	{ "cpus", required_argument, NULL, 'C' },
	{ "backend", required_argument, NULL, O_BACKEND },
	{ "busy-poll", required_argument, NULL, O_BUSY },
	{ "batch-wait", required_argument, NULL, O_BATCHWAIT },
	{ "batch-cqes", required_argument, NULL, O_BATCHCQES },
	{ "steer", required_argument, NULL, O_STEER },
	{ "no-pin", no_argument, NULL, O_NOPIN },
	{ "max-conns", required_argument, NULL, O_MAXCONNS },
	{ "outq-high", required_argument, NULL, O_OUTQHIGH },
	{ "outq-low", required_argument, NULL, O_OUTQLOW },
	{ "outq-max", required_argument, NULL, O_OUTQMAX },
	{ "max-msg", required_argument, NULL, O_MAXMSG },
	{ "idle-timeout", required_argument, NULL, O_IDLE },
	{ "drain-ms", required_argument, NULL, O_DRAIN },
	{ "buf-size", required_argument, NULL, O_BUFSIZE },
	{ "nbufs", required_argument, NULL, O_NBUFS },
	{ "idle-trim-ms", required_argument, NULL, O_IDLETRIM },
	{ "backlog", required_argument, NULL, O_BACKLOG },
	{ "udp", no_argument, NULL, O_UDP },
	{ "no-udp", no_argument, NULL, O_NOUDP },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

void svcopt_init(struct svcopt *o, const char *prog, unsigned port)
{
	memset(o, 0, sizeof(*o));
	o->prog = prog;
	o->port = port;
	ksf_pool_opts_init(&o->pool);
	ksf_svc_opts_init(&o->svc);
}

static void usage(const struct svcopt *o, FILE *f, const char *summary,
		  const struct svcopt_extra *extra)
{
	fprintf(f,
"Usage: %s [options]\n%s\n\n"
"  -p, --port PORT        port (TCP, and UDP when served; default %u; 0 = any free port)\n"
"  -a, --addr ADDR        listen address, repeatable (default: all, IPv6 and IPv4)\n"
"      --udp, --no-udp    also serve UDP on the same port, or not (default: %s)\n"
"  -w, --workers N        worker threads (default: one per CPU in --cpus)\n"
"  -C, --cpus LIST        CPUs for the workers, e.g. 0-3,6 (default: all allowed)\n"
"  -b, --backend B        epoll, uring or auto (default auto: io_uring if it works)\n"
"      --busy-poll USEC   spin this long on the event source before sleeping (default 0)\n"
"      --batch-wait auto[:USEC]|USEC  io_uring, Linux 6.12+: when busy, wait for\n"
"                         --batch-cqes completions or USEC before waking: auto (the\n"
"                         default, 20 us) only while the worker measures that it\n"
"                         saves CPU without costing rate; USEC always; 0 never\n"
"      --batch-cqes N     completions that end a batch wait (default %u)\n"
"      --steer MODE       hash (kernel 4-tuple hash, default) or cpu (worker on the\n"
"                         CPU that received the packets, reuseport BPF)\n"
"      --no-pin           do not pin workers to their CPUs\n"
"      --max-conns N      connections at once, over it new ones are closed (default %u)\n"
"      --outq-high BYTES  stop reading a connection with more output queued (default %zu)\n"
"      --outq-low BYTES   resume reading below this (default %zu)\n"
"      --outq-max BYTES   hard cap on a connection's output queue (default %zu)\n"
"      --max-msg BYTES    cap on unconsumed input per connection (default %zu)\n"
"      --idle-timeout SEC close connections idle this long (default 0 = never)\n"
"      --drain-ms MS      on SIGINT/SIGTERM, time to flush before closing (default %u)\n"
"      --buf-size BYTES   receive buffer size (default %u)\n"
"      --nbufs N          io_uring provided receive buffers per worker (default %u)\n"
"      --idle-trim-ms MS  a worker idle this long gives cached memory back (default %u,\n"
"                         0 = never)\n"
"      --backlog N        listen backlog (default %d)\n"
"  -v, --verbose          say more on stderr\n"
"  -V, --version          print the version and exit\n"
"  -h, --help             this text\n"
"\nSizes take K, M, G suffixes (KiB, MiB, GiB). On SIGINT or SIGTERM the service stops\n"
"accepting, flushes queued output, closes, prints its counters to stderr and exits 0.\n%s%s",
		o->prog, summary, o->port, o->udp ? "yes" : "no", o->pool.batch_cqes, o->svc.max_conns, o->svc.outq_high, o->svc.outq_low,
		o->svc.outq_max, o->svc.max_msg, o->svc.drain_ms, o->pool.buf_size,
		o->pool.nbufs, o->pool.idle_trim_ms, o->svc.backlog, extra ? "\n" : "", extra ? extra->help : "");
}

static int bad(const struct svcopt *o, const char *flag, const char *val, int err)
{
	fprintf(stderr, "%s: invalid %s '%s': %s\n", o->prog, flag, val, ksf_strerror(err));
	return -EINVAL;
}

/* --batch-wait: "auto" or "auto:USEC" (adaptive, the default: 20 us),
 * USEC (batch whenever busy), 0 (never). */
static int parse_batch_wait(struct svcopt *o, const char *arg)
{
	uint64_t v = 20;
	int err = 0;

	if (!strncmp(arg, "auto", 4) && (!arg[4] || arg[4] == ':')) {
		if (arg[4])
			err = ksf_parse_uint(arg + 5, 1, 1000000, &v);
		o->pool.batch_adaptive = 1;
	} else {
		err = ksf_parse_uint(arg, 0, 1000000, &v);
		o->pool.batch_adaptive = 0;
	}
	o->pool.batch_wait_us = (unsigned)v;
	return err;
}

/* One option with an argument; returns 0 or -EINVAL (message printed). */
static int parse_one(struct svcopt *o, int c, const char *arg)
{
	uint64_t v;
	int err = 0;

	switch (c) {
	case 'p': err = ksf_parse_uint(arg, 0, 65535, &v); o->port = (unsigned)v; break;
	case 'a':
		if (o->naddrs == 16)
			return bad(o, "--addr", arg, -E2BIG);
		o->addrs[o->naddrs++] = arg;
		break;
	case 'w': err = ksf_parse_uint(arg, 1, KSF_MAX_WORKERS, &v); o->pool.nworkers = (int)v; break;
	case 'C':
		err = ksf_cpulist_parse(arg, o->cpus, KSF_MAX_WORKERS);
		o->pool.cpus = o->cpus;
		o->pool.ncpus = err > 0 ? err : 0;
		err = err > 0 ? 0 : err;
		break;
	case O_BACKEND: err = ksf_backend_parse(arg); o->pool.backend = err >= 0 ? err : 0;
		err = err > 0 ? 0 : err; break;
	case O_BUSY: err = ksf_parse_uint(arg, 0, 10000000, &v); o->pool.busy_poll_us = (unsigned)v; break;
	case O_BATCHWAIT: err = parse_batch_wait(o, arg); break;
	case O_BATCHCQES: err = ksf_parse_uint(arg, 2, 4096, &v); o->pool.batch_cqes = (unsigned)v; break;
	case O_STEER:
		if (!strcmp(arg, "hash"))
			o->svc.steer = KSF_STEER_HASH;
		else if (!strcmp(arg, "cpu"))
			o->svc.steer = KSF_STEER_CPU;
		else
			err = -EINVAL;
		break;
	case O_MAXCONNS: err = ksf_parse_uint(arg, 1, 10000000, &v); o->svc.max_conns = (unsigned)v; break;
	case O_OUTQHIGH: err = ksf_parse_size(arg, 1, 1ull << 40, &v); o->svc.outq_high = v; break;
	case O_OUTQLOW: err = ksf_parse_size(arg, 0, 1ull << 40, &v); o->svc.outq_low = v; break;
	case O_OUTQMAX: err = ksf_parse_size(arg, 1, 1ull << 40, &v); o->svc.outq_max = v; break;
	case O_MAXMSG: err = ksf_parse_size(arg, 1, 1ull << 32, &v); o->svc.max_msg = v; break;
	case O_IDLE: err = ksf_parse_uint(arg, 0, 4000000, &v); o->svc.idle_ms = (unsigned)(v * 1000); break;
	case O_DRAIN: err = ksf_parse_uint(arg, 0, 3600000, &v); o->svc.drain_ms = (unsigned)v; break;
	case O_BUFSIZE: err = ksf_parse_size(arg, 512, 1u << 20, &v); o->pool.buf_size = (unsigned)v; break;
	case O_NBUFS: err = ksf_parse_uint(arg, 1, 32768, &v); o->pool.nbufs = (unsigned)v; break;
	case O_IDLETRIM: err = ksf_parse_uint(arg, 0, 3600000, &v); o->pool.idle_trim_ms = (unsigned)v; break;
	case O_BACKLOG: err = ksf_parse_uint(arg, 1, 65535, &v); o->svc.backlog = (int)v; break;
	}
	if (err) {
		for (const struct option *lo = longopts; lo->name; lo++)
			if (lo->val == c)
				return bad(o, lo->name, arg, err);
	}
	return err;
}

/* Cross-option checks, after every flag is known. */
static int check(struct svcopt *o)
{
	struct ksf_svc_opts *s = &o->svc;

	if (s->outq_low > s->outq_high) {
		fprintf(stderr, "%s: --outq-low (%zu) must not exceed --outq-high (%zu)\n",
			o->prog, s->outq_low, s->outq_high);
		return -EINVAL;
	}
	if (s->outq_max < s->outq_high) {
		fprintf(stderr, "%s: --outq-max (%zu) must not be below --outq-high (%zu)\n",
			o->prog, s->outq_max, s->outq_high);
		return -EINVAL;
	}
	return 0;
}

/* The shared options followed by the service's own, for getopt_long. */
static const struct option *merge_opts(const struct svcopt_extra *extra)
{
	static struct option all[64];
	size_t n = 0;

	for (const struct option *p = longopts; p->name && n < 63; p++)
		all[n++] = *p;
	for (const struct option *p = extra ? extra->opts : NULL; p && p->name && n < 63; p++)
		all[n++] = *p;
	memset(&all[n], 0, sizeof(all[n]));
	return all;
}

int svcopt_parse(struct svcopt *o, int argc, char **argv, const char *summary,
		 const struct svcopt_extra *extra)
{
	const struct option *opts = merge_opts(extra);
	int c;

	while ((c = getopt_long(argc, argv, "p:a:w:C:b:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(o, stdout, summary, extra); return 1;
		case 'V': printf("%s %s\n", o->prog, KSF_VERSION); return 1;
		case 'v': o->verbose++; break;
		case O_NOPIN: o->pool.pin = 0; break;
		case O_UDP: o->udp = 1; break;
		case O_NOUDP: o->udp = 0; break;
		case 'b': c = O_BACKEND; /* fall through */
		default:
			if (c == '?') {
				fprintf(stderr, "Try '%s --help'.\n", o->prog);
				return -EINVAL;
			}
			if (c >= 512 && extra) {
				if (extra->parse(c, optarg, extra->ctx))
					return -EINVAL;
			} else if (parse_one(o, c, optarg)) {
				return -EINVAL;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s --help'.\n",
			o->prog, argv[optind], o->prog);
		return -EINVAL;
	}
	return check(o);
}
