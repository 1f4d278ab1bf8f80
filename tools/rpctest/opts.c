// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's command line: the seed's flags (-a -c -j -i -A -f -q -d -H -x
 * -u -v -V -h) plus -t, --json, the program/version/procedure, --expect,
 * --rpcvers, -b, --busy-poll, -P, --stall, the UDP loss rules and the NFS
 * workloads (--export, --mount-port, --op, -l, --stable). Every
 * number is checked strictly (tools/common/cli.h); a bad flag or value
 * prints a message and the usage line, and the program exits with 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ksf.h>
#include "flag.h"
#include "rpctest.h"

#define PROG "rpctest"

static const char usage_text[] =
"usage: rpctest [options] [user@]host[:port]\n"
"Load an ONC RPC server (RFC 5531) over TCP or UDP: each thread keeps calls\n"
"in flight on its own connection, checks every reply and times every call.\n"
"host may be a name, an IPv4 address, [IPv6] or a bare IPv6 address.\n"
"Default port 62049; default call NFS (100003) version 3 procedure 0 (NULL).\n"
"\n"
LOAD_HELP
"  -q, --quantiles LIST  RTT quantiles in the table, percent (default\n"
"                        50,90,99,99.9)\n"
"  -x, --debug           on a bad reply also print its bytes and the xids in\n"
"                        flight; report every lost and late UDP call\n"
"\n"
"  (rpctest pins -j 2 and more threads, one per CPU, unless -P none or\n"
"  there are fewer CPUs than threads)\n"
"\n"
"Calls:\n"
"  -p, --port PORT       port when the target has none (default 62049)\n"
"      --prog N          program number (default 100003, NFS)\n"
"      --vers N          program version (default 3)\n"
"      --proc N          procedure (default 0, NULL)\n"
"      --args HEX        XDR-encoded arguments as hex (default none)\n"
"  -A, --auth FLAVOR     none (default), sys (AUTH_SYS: uid, gid and groups\n"
"                        of the caller, or of user@, and this host's name),\n"
"                        or a flavor number sent with an empty body\n"
"      --rpcvers N       RPC version in the calls (default 2)\n"
"  -f, --fragment        split each call into 3 record fragments (TCP)\n"
"      --expect REPLY    what every reply must be: accepted (default),\n"
"                        prog_unavail, prog_mismatch, proc_unavail,\n"
"                        garbage_args, system_err, rpc_mismatch, auth_error\n"
"\n"
"NFS workloads (NFS version 3 over TCP, RFC 1813):\n"
"      --export PATH     MOUNT (MNT) PATH on the server, make a scratch\n"
"                        directory .rpctest-<pid>-<random> in it with a test\n"
"                        file, and remove them at the end; calls carry\n"
"                        AUTH_SYS of the caller (or of user@) unless -A\n"
"      --mount-port PORT the MOUNT port (default: the target's port)\n"
"      --op OP           null (default: the calls above), getattr, lookup,\n"
"                        access, read, write or create (needs --export)\n"
"  -l, --size BYTES      bytes per READ or WRITE (default 4096, at most 1M;\n"
"                        K, M = 2^10, 2^20)\n"
"      --stable HOW      WRITE stability: unstable (default), data_sync,\n"
"                        file_sync\n"
"\n"
"UDP:\n"
"  -u, --udp             use UDP, one connected socket per thread; no\n"
"                        retransmission: a call unanswered in time is lost\n"
"      --udp-timeout SECS  a call is lost after SECS (default 1)\n"
"      --udp-loss N[%]   lost calls a run may have (default 0), as a count\n"
"                        over all threads or a percentage of the calls\n"
"\n"
"Counts (-c) take K, M, G = 10^3, 10^6, 10^9. Times take s (default), ms, us.\n"
"Columns: date, run, threads, inflight, RPC/s, RTT_us (median over threads\n"
"of each thread's median), Mbit/s (RPC bytes both ways, record marks\n"
"included), min_us, one column per quantile, max_us; a last row 'med' has\n"
"the median over runs; with --op read or write also MB/s (data bytes,\n"
"10^6 per s). Exit status 0 on success, 1 on any error or bad reply, 2 on\n"
"a usage error.\n";

enum {
	OPT_PROG = LOAD_OPT_TOOL, OPT_VERS, OPT_PROC, OPT_EXPECT, OPT_RPCVERS,
	OPT_UDP_LOSS, OPT_UDP_TIMEOUT, OPT_ARGS, OPT_EXPORT, OPT_MOUNT_PORT, OPT_OP,
	OPT_STABLE,
};

static const struct option long_opts[] = {
	LOAD_LONGOPTS,
	{ "prog",	 required_argument, NULL, OPT_PROG },
	{ "vers",	 required_argument, NULL, OPT_VERS },
	{ "proc",	 required_argument, NULL, OPT_PROC },
	{ "args",	 required_argument, NULL, OPT_ARGS },
	{ "auth",	 required_argument, NULL, 'A' },
	{ "rpcvers",	 required_argument, NULL, OPT_RPCVERS },
	{ "fragment",	 no_argument,	    NULL, 'f' },
	{ "expect",	 required_argument, NULL, OPT_EXPECT },
	{ "export",	 required_argument, NULL, OPT_EXPORT },
	{ "mount-port",	 required_argument, NULL, OPT_MOUNT_PORT },
	{ "op",		 required_argument, NULL, OPT_OP },
	{ "size",	 required_argument, NULL, 'l' },
	{ "stable",	 required_argument, NULL, OPT_STABLE },
	{ "udp",	 no_argument,	    NULL, 'u' },
	{ "udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "udp-loss",	 required_argument, NULL, OPT_UDP_LOSS },
	{ "quantiles",	 required_argument, NULL, 'q' },
	{ "debug",	 no_argument,	    NULL, 'x' },
	{ "version",	 no_argument,	    NULL, 'V' },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int usage_error(void)
{
	fputs("usage: rpctest [options] [user@]host[:port]  (rpctest --help for more)\n",
	      stderr);
	return 2;
}

static int bad(const char *flag, const char *why)
{
	return flag_bad(PROG, flag, why);
}

static void defaults(struct rt_opts *o)
{
	char err[64];

	memset(o, 0, sizeof(*o));
	load_defaults(&o->l, RT_DEFAULT_PORT);
	o->l.pin_auto = 1;	/* as the seed's rpctest: measured in man/rpctest.1 */
	o->prog = 100003;
	o->vers = 3;
	o->rpcvers = KSF_RPC_VERSION;
	o->udp_timeout_ns = 1000000000ULL;
	o->udp_loss_pct = -1.0;
	o->size = 4096;
	o->stable = NFS3_UNSTABLE;
	o->nq = report_quantiles_parse("50,90,99,99.9", o->q, REPORT_MAX_QUANTILES,
				       err, sizeof(err));
}

static int auth(const char *arg, struct rt_opts *o)
{
	uint64_t v;
	char err[200];

	o->auth_set = 1;
	if (!strcmp(arg, "none") || !strcmp(arg, "sys")) {
		o->auth = arg[0] == 's' ? RT_AUTH_SYS : RT_AUTH_NONE;
		return 0;
	}
	if (cli_parse_u64(arg, CLI_COUNT, 0, UINT32_MAX, &v, err, sizeof(err)))
		return bad("-A", "use none, sys or a flavor number");
	o->flavor = (uint32_t)v;
	o->auth = v == KSF_RPC_AUTH_NONE ? RT_AUTH_NONE :
		  v == KSF_RPC_AUTH_SYS ? RT_AUTH_SYS : RT_AUTH_RAW;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* --args: pairs of hex digits, at most RT_MAX_ARGS bytes. */
static int args(const char *arg, struct rt_opts *o)
{
	size_t n = strlen(arg);

	if (n % 2)
		return bad("--args", "an odd number of hex digits");
	if (n / 2 > RT_MAX_ARGS)
		return bad("--args", "more than 1024 bytes");
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(arg[i]), lo = hexval(arg[i + 1]);

		if (hi < 0 || lo < 0)
			return bad("--args", "not hex digits");
		o->args[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	o->argslen = n / 2;
	return 0;
}

/* --udp-loss N (calls per run) or N% (of the calls started). */
static int udp_loss(const char *arg, struct rt_opts *o)
{
	size_t n = strlen(arg);
	char buf[32], *end;

	o->udp_opts_set = 1;
	if (n && arg[n - 1] == '%') {
		if (n >= sizeof(buf) || n < 2)
			return bad("--udp-loss", "not a percentage");
		memcpy(buf, arg, n - 1);
		buf[n - 1] = '\0';
		if (strspn(buf, "0123456789.") != n - 1)
			return bad("--udp-loss", "not a percentage");
		o->udp_loss_pct = strtod(buf, &end);
		if (*end || o->udp_loss_pct > 100.0)
			return bad("--udp-loss", "not a percentage in 0..100");
		return 0;
	}
	o->udp_loss_pct = -1.0;
	return flag_u64(PROG, "--udp-loss", arg, CLI_COUNT, 0, UINT64_MAX, &o->udp_loss);
}

static int quantiles(const char *arg, struct rt_opts *o)
{
	char err[200];
	int n = report_quantiles_parse(arg, o->q, REPORT_MAX_QUANTILES, err, sizeof(err));

	if (n < 0)
		return bad("-q", err);
	o->nq = n;
	return 0;
}

static int expect(const char *arg, struct rt_opts *o)
{
	if (!rt_expect_parse(arg, &o->expect))
		return 0;
	return bad("--expect", "use accepted, prog_unavail, prog_mismatch, proc_unavail, "
		   "garbage_args, system_err, rpc_mismatch or auth_error");
}

/* Flags that only set a value or a switch. */
static int simple_opt(struct rt_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_PROG: return flag_u32(PROG, "--prog", arg, &o->prog);
	case OPT_VERS: return flag_u32(PROG, "--vers", arg, &o->vers);
	case OPT_PROC: return flag_u32(PROG, "--proc", arg, &o->proc);
	case OPT_RPCVERS: return flag_u32(PROG, "--rpcvers", arg, &o->rpcvers);
	case OPT_EXPORT: o->export = arg; return 0;
	case OPT_MOUNT_PORT: return flag_port(PROG, "--mount-port", arg, &o->mount_port,
					      &o->mount_port_set);
	case 'f': o->frag = 1; return 0;
	case 'u': o->udp = 1; return 0;
	case 'x': o->debug = 1; return 0;
	default: return -1;	/* getopt_long already said what is wrong */
	}
}

/* The NFS workload flags that take a word or a size. */
static int nfs_opt(struct rt_opts *o, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case OPT_OP:
		if (!rt_op_parse(arg, &o->op))
			return 0;
		return bad("--op", "use null, getattr, lookup, access, read, write or create");
	case OPT_STABLE:
		o->stable_set = 1;
		if (!rt_stable_parse(arg, &o->stable))
			return 0;
		return bad("--stable", "use unstable, data_sync or file_sync");
	default:	/* -l */
		o->size_set = 1;
		if (flag_u64(PROG, "-l", arg, CLI_SIZE, 1, NFS3_MAXDATA, &v))
			return -1;
		o->size = (uint32_t)v;
		return 0;
	}
}

/* One option; 0 to go on, 1 for help/version done, -1 for a usage error. */
static int one_opt(void *arg_o, int c, const char *arg)
{
	struct rt_opts *o = arg_o;
	int rc = load_opt(PROG, &o->l, c, arg);

	if (rc <= 0)
		return rc;
	if (c == OPT_PROG || c == OPT_VERS || c == OPT_PROC || c == OPT_ARGS ||
	    c == OPT_RPCVERS || c == OPT_EXPECT || c == 'f')
		o->call_set = 1;
	switch (c) {
	case OPT_OP:
	case OPT_STABLE:
	case 'l':
		return nfs_opt(o, c, arg);
	case 'A': return auth(arg, o);
	case OPT_ARGS: return args(arg, o);
	case OPT_EXPECT: return expect(arg, o);
	case 'q': return quantiles(arg, o);
	case OPT_UDP_LOSS: return udp_loss(arg, o);
	case OPT_UDP_TIMEOUT:
		o->udp_opts_set = 1;
		return flag_duration(PROG, "--udp-timeout", arg, 1000000, &o->udp_timeout_ns);
	case 'V': printf("rpctest (ksf) %s\n", KSF_VERSION); return 1;
	case 'h': fputs(usage_text, stdout); return 1;
	default: return simple_opt(o, c, arg);
	}
}

static int fail(const char *msg)
{
	fprintf(stderr, "rpctest: %s\n", msg);
	return -1;
}

/* The NFS workload flags, together and with the others. */
static int check_nfs(const struct rt_opts *o)
{
	if (o->op != RT_OP_NULL && !o->export)
		return fail("--op needs --export: the path to mount on the server");
	if (o->mount_port_set && !o->export)
		return fail("--mount-port needs --export");
	if (o->export && (!*o->export || strlen(o->export) > MNT3_PATHLEN))
		return fail("--export needs a path of 1 to 1024 bytes");
	if (o->size_set && o->op != RT_OP_READ && o->op != RT_OP_WRITE)
		return fail("-l is the size of --op read and --op write");
	if (o->stable_set && o->op != RT_OP_WRITE)
		return fail("--stable is for --op write");
	if (o->op != RT_OP_NULL && o->udp)
		return fail("the NFS workloads of --op run over TCP only (no -u)");
	if (o->op != RT_OP_NULL && o->call_set)
		return fail("--prog, --vers, --proc, --args, --rpcvers, --expect and -f "
			    "are for --op null");
	return 0;
}

/* Checks that involve more than one flag. */
static int check(const struct rt_opts *o)
{
	if (o->udp && o->frag)
		return fail("-f splits TCP records: there are none over UDP (-u)");
	if (!o->udp && o->udp_opts_set)
		return fail("--udp-timeout and --udp-loss need -u");
	return check_nfs(o);
}

int rt_opts_parse(struct rt_opts *o, int argc, char **argv)
{
	int rc;

	defaults(o);
	rc = flag_parse(argc, argv, LOAD_SHORTOPTS "A:fuq:xVhl:", long_opts, one_opt, o);
	if (rc > 0)
		return 1;
	if (rc < 0 || load_check(PROG, &o->l, argc - optind, argv + optind) || check(o))
		return usage_error();
	if (o->export && !o->auth_set)	/* NFS calls as the caller, as libnfs */
		o->auth = RT_AUTH_SYS;
	return 0;
}
