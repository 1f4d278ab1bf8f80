// SPDX-License-Identifier: BSD-2-Clause
/*
 * tirpc_null: the libtirpc peer for the RPC bench, and the stand-in server
 * the RPC integration tests can run against. It serves NFS (program 100003)
 * version 3 NULL over TCP and UDP on one port with libtirpc's classic
 * server API (svctcp_create, svcudp_create, svc_register with protocol 0 so
 * nothing is registered with rpcbind) and libtirpc's own svc_run() loop:
 * exactly what a C programmer gets from the system's RPC library.
 *
 *   tirpc_null [-p PORT] [-a ADDR]
 *
 * -p 0 (the default) picks a port free for both TCP and UDP; -a defaults to
 * 127.0.0.1 (IPv4 only). Once both sockets are bound it prints
 *
 *   listening on ADDR:PORT
 *   listening on udp ADDR:PORT
 *
 * Any other procedure gets PROC_UNAVAIL, any other version PROG_MISMATCH
 * (3..3) and any other program PROG_UNAVAIL, all from libtirpc itself. On
 * SIGINT or SIGTERM it prints "tirpc_null: calls=N" to stderr and exits 0
 * (svc_run never returns, so the signal handler ends the process).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NFS_PROGRAM	100003
#define NFS_V3		3
#define BIND_TRIES	50	/* port 0: attempts to find a port free for both */
/* xdr_void as an xdrproc_t: through void (*)(void), the one cast between
 * function types that -Wcast-function-type accepts. */
#define XDR_VOID	((xdrproc_t)(void (*)(void))xdr_void)

static volatile unsigned long n_calls;

/* The dispatch routine: NULL (procedure 0) takes and returns void. */
static void nfs_dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
	n_calls++;
	if (rq->rq_proc != 0) {
		svcerr_noproc(xprt);
		return;
	}
	if (!svc_getargs(xprt, XDR_VOID, NULL)) {
		svcerr_decode(xprt);
		return;
	}
	if (!svc_sendreply(xprt, XDR_VOID, NULL))
		svcerr_systemerr(xprt);
}

/* SIGINT/SIGTERM: report and leave with async-signal-safe calls only. */
static void on_signal(int sig)
{
	char msg[64] = "tirpc_null: calls=", num[24];
	unsigned long v = n_calls;
	size_t n = strlen(msg), k = 0;

	(void)sig;
	do {
		num[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < sizeof(num));
	while (k && n < sizeof(msg) - 2)
		msg[n++] = num[--k];
	msg[n++] = '\n';
	if (write(2, msg, n) < 0)
		_exit(1);
	_exit(0);
}

/* Bind a socket of type to addr:port; return the fd or -1. */
static int bound_socket(int type, struct in_addr addr, unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = addr,
				   .sin_port = htons(port) };
	int one = 1, fd;

	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bind TCP and UDP sockets on one port (port 0: a free one). */
static int bind_pair(struct in_addr addr, unsigned short port, int *tfd, int *ufd,
		     unsigned short *bound)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	for (int i = 0; i < BIND_TRIES; i++) {
		*tfd = bound_socket(SOCK_STREAM, addr, port);
		if (*tfd < 0)
			return -1;
		if (getsockname(*tfd, (struct sockaddr *)&sin, &sl) < 0)
			return -1;
		*bound = ntohs(sin.sin_port);
		*ufd = bound_socket(SOCK_DGRAM, addr, *bound);
		if (*ufd >= 0)
			return listen(*tfd, 4096);
		close(*tfd);
		if (port != 0)
			return -1;
	}
	errno = EADDRINUSE;
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tirpc_null [-p PORT] [-a IPV4ADDR]\n"
		   "Serve NFS v3 NULL over TCP and UDP with libtirpc's svc_run.\n");
}

int main(int argc, char **argv)
{
	struct in_addr addr = { .s_addr = htonl(INADDR_LOOPBACK) };
	unsigned long port = 0;
	unsigned short bound;
	SVCXPRT *tx, *ux;
	int c, tfd, ufd;
	char *end;

	while ((c = getopt(argc, argv, "p:a:h")) != -1) {
		switch (c) {
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || port > 65535) {
				fprintf(stderr, "tirpc_null: bad port %s\n", optarg);
				return 2;
			}
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr) != 1) {
				fprintf(stderr, "tirpc_null: -a takes an IPv4 address: %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (bind_pair(addr, (unsigned short)port, &tfd, &ufd, &bound) < 0) {
		perror("tirpc_null: bind");
		return 1;
	}
	tx = svctcp_create(tfd, 0, 0);
	ux = svcudp_create(ufd);
	if (!tx || !ux) {
		fprintf(stderr, "tirpc_null: cannot create the libtirpc transports\n");
		return 1;
	}
	/* Protocol 0: no portmapper/rpcbind registration. */
	if (!svc_register(tx, NFS_PROGRAM, NFS_V3, nfs_dispatch, 0) ||
	    !svc_register(ux, NFS_PROGRAM, NFS_V3, nfs_dispatch, 0)) {
		fprintf(stderr, "tirpc_null: svc_register failed\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	printf("listening on %s:%u\nlistening on udp %s:%u\n", inet_ntoa(addr), bound,
	       inet_ntoa(addr), bound);
	fflush(stdout);
	svc_run();
	fprintf(stderr, "tirpc_null: svc_run returned\n");
	return 1;
}
