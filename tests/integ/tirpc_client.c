// SPDX-License-Identifier: BSD-2-Clause
/*
 * tirpc_client: libtirpc, the system's RPC library, as a client of krpc.
 * Over TCP and UDP it makes NULL calls to NFS (100003) version 3 and checks
 * libtirpc's verdict on krpc's error replies:
 *
 *   NULL, AUTH_NONE and AUTH_SYS (-n calls each)   RPC_SUCCESS
 *   version 4                    RPC_PROGVERSMISMATCH, low 3, high 3
 *   procedure 22 (beyond NFSv3)  RPC_PROCUNAVAIL
 *   program 200999               RPC_PROGUNAVAIL
 *
 *   tirpc_client [-n CALLS] [-r] HOST PORT
 *
 * By default the handles are made on an address (clnttcp_create,
 * clntudp_create on a sockaddr_in), which needs no rpcbind. With -r they
 * come from clnt_create(HOST, ..., "tcp"|"udp"), which asks the portmapper
 * on HOST for the port (PORT is then only checked against the answer), and
 * clnt_create_vers(HOST, 100003, &v, 2, 4, ...) must settle on version 3.
 * Prints one line per check; exits 0 when all pass, 1 otherwise, 2 on
 * usage errors.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NFS_PROGRAM	100003
#define NFS_V3		3
#define XDR_VOID	((xdrproc_t)(void (*)(void))xdr_void)

static int failures;
static const char *host;
static struct sockaddr_in addr;
static int ncalls = 100, use_rpcbind;

static void check(int ok, const char *what, const char *got)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, got ? ": " : "", got ? got : "");
	failures += !ok;
}

/* A handle to prog/vers over proto ("tcp" or "udp"), or NULL. */
static CLIENT *handle(const char *proto, unsigned long prog, unsigned long vers)
{
	struct timeval wait = { 1, 0 };
	struct sockaddr_in a = addr;
	int sock = RPC_ANYSOCK;
	CLIENT *c;

	if (use_rpcbind)
		c = clnt_create(host, prog, vers, proto);
	else if (!strcmp(proto, "tcp"))
		c = clnttcp_create(&a, prog, vers, &sock, 0, 0);
	else
		c = clntudp_create(&a, prog, vers, wait, &sock);
	if (!c)
		printf("# %s\n", clnt_spcreateerror(proto));
	return c;
}

/* One NULL call; returns its status and fills *err. */
static enum clnt_stat null_call(CLIENT *c, struct rpc_err *err)
{
	struct timeval tmo = { 10, 0 };
	enum clnt_stat st = clnt_call(c, 0, XDR_VOID, NULL, XDR_VOID, NULL, tmo);

	clnt_geterr(c, err);
	return st;
}

static enum clnt_stat call_proc(CLIENT *c, unsigned long proc, struct rpc_err *err)
{
	struct timeval tmo = { 10, 0 };
	enum clnt_stat st = clnt_call(c, proc, XDR_VOID, NULL, XDR_VOID, NULL, tmo);

	clnt_geterr(c, err);
	return st;
}

static void checks(const char *proto)
{
	char what[128];
	struct rpc_err err;
	enum clnt_stat st = RPC_SUCCESS;
	CLIENT *c;
	int i;

	/* NULL with AUTH_NONE, then AUTH_SYS. */
	snprintf(what, sizeof(what), "%s: %d NULL calls (AUTH_NONE)", proto, ncalls);
	if (!(c = handle(proto, NFS_PROGRAM, NFS_V3))) {
		check(0, what, "no handle");
		return;
	}
	for (i = 0; i < ncalls && (st = null_call(c, &err)) == RPC_SUCCESS; i++)
		;
	check(st == RPC_SUCCESS, what, clnt_sperrno(st));
	auth_destroy(c->cl_auth);
	c->cl_auth = authunix_create_default();
	snprintf(what, sizeof(what), "%s: %d NULL calls (AUTH_SYS)", proto, ncalls);
	for (i = 0; i < ncalls && (st = null_call(c, &err)) == RPC_SUCCESS; i++)
		;
	check(st == RPC_SUCCESS, what, clnt_sperrno(st));

	/* A procedure NFSv3 does not have. */
	snprintf(what, sizeof(what), "%s: procedure 22 gives RPC_PROCUNAVAIL", proto);
	st = call_proc(c, 22, &err);
	check(st == RPC_PROCUNAVAIL, what, clnt_sperrno(st));
	/* The handle still works after an error reply. */
	snprintf(what, sizeof(what), "%s: NULL after the error", proto);
	st = null_call(c, &err);
	check(st == RPC_SUCCESS, what, clnt_sperrno(st));
	auth_destroy(c->cl_auth);
	clnt_destroy(c);

	if (use_rpcbind) {
		/* The portmapper maps programs, so versions and unknown
		 * programs are probed through clnt_create_vers below. */
		rpcvers_t v = 0;

		snprintf(what, sizeof(what), "%s: clnt_create_vers(2..4) settles on 3", proto);
		c = clnt_create_vers(host, NFS_PROGRAM, &v, 2, 4, proto);
		char got[64];
		snprintf(got, sizeof(got), "version %lu", (unsigned long)v);
		check(c && v == 3, what, c ? got : clnt_spcreateerror("clnt_create_vers"));
		if (c)
			clnt_destroy(c);
		return;
	}

	/* A version krpc does not serve: low and high from the reply. */
	snprintf(what, sizeof(what), "%s: version 4 gives RPC_PROGVERSMISMATCH 3..3", proto);
	if ((c = handle(proto, NFS_PROGRAM, 4))) {
		char got[128];

		st = null_call(c, &err);
		snprintf(got, sizeof(got), "%s, low %lu high %lu", clnt_sperrno(st),
			 (unsigned long)err.re_vers.low, (unsigned long)err.re_vers.high);
		check(st == RPC_PROGVERSMISMATCH && err.re_vers.low == 3 && err.re_vers.high == 3,
		      what, got);
		clnt_destroy(c);
	} else
		check(0, what, "no handle");

	/* A program krpc does not serve. */
	snprintf(what, sizeof(what), "%s: program 200999 gives RPC_PROGUNAVAIL", proto);
	if ((c = handle(proto, 200999, 1))) {
		st = null_call(c, &err);
		check(st == RPC_PROGUNAVAIL, what, clnt_sperrno(st));
		clnt_destroy(c);
	} else
		check(0, what, "no handle");
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:r")) != -1) {
		switch (c) {
		case 'n': ncalls = atoi(optarg); break;
		case 'r': use_rpcbind = 1; break;
		default:
			fprintf(stderr, "usage: tirpc_client [-n CALLS] [-r] HOST PORT\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: tirpc_client [-n CALLS] [-r] HOST PORT\n");
		return 2;
	}
	host = argv[optind];
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)atoi(argv[optind + 1]));
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "tirpc_client: HOST must be an IPv4 address: %s\n", host);
		return 2;
	}
	if (use_rpcbind) {
		/* The portmapper must give the port the server printed
		 * (pmap_getport overwrites the address's port: use a copy). */
		struct sockaddr_in pa = addr;
		unsigned short tp = pmap_getport(&pa, NFS_PROGRAM, NFS_V3, IPPROTO_TCP);
		unsigned short up = pmap_getport(&pa, NFS_PROGRAM, NFS_V3, IPPROTO_UDP);
		char got[64];

		snprintf(got, sizeof(got), "tcp %u, udp %u, server %u", tp, up, ntohs(addr.sin_port));
		check(tp == ntohs(addr.sin_port) && up == tp,
		      "pmap_getport gives the server's port for tcp and udp", got);
	}
	checks("tcp");
	checks("udp");
	printf("%s\n", failures ? "tirpc_client: FAILED" : "tirpc_client: all checks passed");
	return failures ? 1 : 0;
}
