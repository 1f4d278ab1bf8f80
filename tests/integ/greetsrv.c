// SPDX-License-Identifier: BSD-2-Clause
/*
 * greetsrv: a test service whose open_cb sends a greeting, for the paths
 * kecho (no open_cb) does not take: a read pause requested before the
 * backend started the connection, and a backend that fails to start a
 * connection after open_cb queued output. Echoes like kecho otherwise.
 * Counts open_cb and close_cb calls: every accepted connection must be
 * closed exactly once.
 *
 *   greetsrv [-b epoll|uring] [-w N] [-g GREETING_BYTES] [-s SNDBUF]
 *            [-H OUTQ_HIGH] [-M OUTQ_MAX]
 *
 * Prints "listening on PORT", serves until SIGTERM, then prints
 * "greetsrv: opens=N closes=M" to stderr. Exit 0 if they are equal, 1 if
 * not, 2 on usage or set-up errors. -s sets SO_SNDBUF on each connection
 * (a small one makes a greeting stay queued when the peer does not read).
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <ksf.h>

static size_t greet_len;
static int sndbuf;
static char *greeting;
static atomic_long opens, closes;

static int greet_open(struct ksf_conn *c)
{
	if (sndbuf)
		(void)setsockopt(ksf_conn_fd(c), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	atomic_fetch_add(&opens, 1);
	ksf_conn_set_udata(c, &opens);	/* close_cb checks it was opened */
	return greet_len ? ksf_conn_send(c, greeting, greet_len) : 0;
}

static ssize_t greet_recv(struct ksf_conn *c, const void *data, size_t len)
{
	size_t n = ksf_conn_room(c);
	int err;

	if (n > len)
		n = len;
	if (n && (err = ksf_conn_send(c, data, n)))
		return err;
	return (ssize_t)n;
}

static void greet_close(struct ksf_conn *c, enum ksf_close_reason why)
{
	(void)why;
	if (ksf_conn_udata(c) != &opens)
		fprintf(stderr, "greetsrv: close_cb for a connection never opened\n");
	ksf_conn_set_udata(c, NULL);
	atomic_fetch_add(&closes, 1);
}

static void log_cb(enum ksf_log_level lvl, const char *msg, void *arg)
{
	(void)lvl;
	(void)arg;
	fprintf(stderr, "greetsrv: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const struct ksf_svc_ops ops = { .open_cb = greet_open, .recv_cb = greet_recv,
						.close_cb = greet_close };
	struct ksf_pool_opts po;
	struct ksf_svc_opts so;
	struct ksf_pool *pool;
	struct ksf_svc *svc;
	sigset_t set;
	int opt, port, sig;

	ksf_pool_opts_init(&po);
	ksf_svc_opts_init(&so);
	po.pin = 0;
	po.nworkers = 1;
	po.log_cb = log_cb;
	while ((opt = getopt(argc, argv, "b:w:g:s:H:M:")) != -1) {
		switch (opt) {
		case 'b': po.backend = ksf_backend_parse(optarg); break;
		case 'w': po.nworkers = atoi(optarg); break;
		case 'g': greet_len = strtoul(optarg, NULL, 0); break;
		case 's': sndbuf = atoi(optarg); break;
		case 'H': so.outq_high = strtoul(optarg, NULL, 0); so.outq_low = so.outq_high / 4; break;
		case 'M': so.outq_max = strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if ((int)po.backend < 0 || !(greeting = malloc(greet_len + 1)))
		return 2;
	memset(greeting, 'g', greet_len);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (ksf_pool_create(&pool, &po) || ksf_svc_create(&svc, pool, &ops, &so, NULL) ||
	    (port = ksf_svc_listen(svc, "127.0.0.1", 0)) < 0 || ksf_svc_start(svc)) {
		fprintf(stderr, "greetsrv: set-up failed\n");
		return 2;
	}
	printf("listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	sigwait(&set, &sig);
	ksf_svc_stop(svc);
	ksf_svc_destroy(svc);
	ksf_pool_destroy(pool);
	free(greeting);
	fprintf(stderr, "greetsrv: opens=%ld closes=%ld\n", atomic_load(&opens), atomic_load(&closes));
	return atomic_load(&opens) == atomic_load(&closes) ? 0 : 1;
}
