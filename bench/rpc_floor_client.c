// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpc_floor_client: the floor of rpctest's pipelined batched load (`-b`),
 * as rpc_floor is the servers'. The least a client that keeps -a ONC RPC
 * calls in flight on a TCP connection can do. Its calls are NFS v3 NULL
 * with AUTH_NONE, encoded once (44 bytes with the record mark) with only
 * the xid patched. Each thread sends its whole window in one send(), then
 * loops: one blocking recv() of up to 64 KiB; split it into replies, each
 * checked (one 24-byte fragment, the next xid in order, MSG_ACCEPTED,
 * SUCCESS); then every call that may start goes out in one send(). No
 * timestamps, no histogram, no options beyond these: it measures how fast
 * a client of this shape can go here, so that rpctest -b can be compared
 * with it (`REF_RPCTEST=build/bench/rpc_floor_client sh bench/seed_cmp.sh`).
 *
 *   rpc_floor_client [-j THREADS] [-a INFLIGHT] [-c COUNT] [-i 1] [-b] [-q]
 *                    IPV4ADDR:PORT
 *
 * -j threads, one connection each (default 1); -a calls in flight per
 * thread (default 128, at most 1024); -c calls per thread (default
 * 100000); -i and -b are accepted for rpctest's command line (one run;
 * always batched); -q is accepted and ignored. Prints "calls N secs S
 * rate R cpu_us_per_call C" (rate = all threads' calls / wall time from
 * the first send to the last reply; CPU = the process's user + system
 * time over the same span). Exit status 1 on any error, a reply that is
 * not the expected one, or 10 s without a reply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CALL_SIZE	44	/* record mark + 40-byte NULL call */
#define REPLY_SIZE	28	/* record mark + 24-byte accepted reply */
#define RBUF_SIZE	(64 * 1024)
#define MAX_INFLIGHT	1024u
#define MAX_THREADS	64u

static struct sockaddr_in server;
static unsigned inflight = 128;
static unsigned long count = 100000;
static pthread_barrier_t start_line;

struct client {
	pthread_t tid;
	int fd;
	uint32_t xid0;			/* first xid of this thread */
	uint8_t tx[MAX_INFLIGHT * CALL_SIZE];
	uint8_t rx[RBUF_SIZE];
	int err;			/* 0, or what went wrong (errno or -1) */
};

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* Every slot of the window holds the same call; send_calls patches xids. */
static void encode_window(struct client *c)
{
	static const uint32_t call[11] = {
		0x80000000u | 40, 0, 0 /* CALL */, 2, 100003, 3, 0 /* NULL */,
		0, 0 /* AUTH_NONE cred */, 0, 0 /* AUTH_NONE verf */
	};

	for (unsigned i = 0; i < inflight; i++)
		for (unsigned w = 0; w < 11; w++)
			put32(c->tx + i * CALL_SIZE + w * 4, call[w]);
}

/* Calls xid .. xid + n - 1 in one send(). */
static int send_calls(struct client *c, uint32_t xid, unsigned n)
{
	size_t len = (size_t)n * CALL_SIZE, off = 0;

	for (unsigned i = 0; i < n; i++)
		put32(c->tx + i * CALL_SIZE + 4, xid + i);
	while (off < len) {
		ssize_t k = send(c->fd, c->tx + off, len - off, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		off += (size_t)k;
	}
	return 0;
}

/* The replies in rx[0..have): how many whole ones, each checked against
 * the xid expected next; -1 for one that is not a NULL call's success. */
static long take_replies(const uint8_t *rx, size_t have, uint32_t xid)
{
	long n = 0;

	for (; have >= REPLY_SIZE; rx += REPLY_SIZE, have -= REPLY_SIZE, n++) {
		if (get32(rx) != (0x80000000u | 24) || get32(rx + 4) != xid + (uint32_t)n ||
		    get32(rx + 8) != 1 || get32(rx + 12) != 0 || get32(rx + 24) != 0)
			return -1;
	}
	return n;
}

static int run(struct client *c)
{
	unsigned long sent = 0, done = 0;
	size_t have = 0;
	unsigned first = count < inflight ? (unsigned)count : inflight;
	int rc = send_calls(c, c->xid0, first);

	sent = first;
	while (!rc && done < count) {
		ssize_t k = recv(c->fd, c->rx + have, sizeof(c->rx) - have, 0);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return k == 0 ? ECONNRESET : errno;
		}
		have += (size_t)k;
		long n = take_replies(c->rx, have, c->xid0 + (uint32_t)done);
		if (n < 0)
			return -1;
		done += (unsigned long)n;
		have -= (size_t)n * REPLY_SIZE;
		memmove(c->rx, c->rx + (size_t)n * REPLY_SIZE, have);
		unsigned more = (unsigned)(count - sent < (unsigned long)n ? count - sent : (unsigned long)n);
		if (more)
			rc = send_calls(c, c->xid0 + (uint32_t)sent, more);
		sent += more;
	}
	return rc;
}

static void *client_main(void *arg)
{
	struct client *c = arg;

	pthread_barrier_wait(&start_line);
	c->err = run(c);
	return NULL;
}

static int connect_client(struct client *c, unsigned i)
{
	struct timeval tmo = { .tv_sec = 10 };

	c->xid0 = 0x10000000u * (i % 16) + 1;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) ||
	    connect(c->fd, (struct sockaddr *)&server, sizeof(server)))
		return errno;
	encode_window(c);
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: rpc_floor_client [-j THREADS] [-a INFLIGHT] [-c COUNT] "
		"[-i 1] [-b] [-q] IPV4ADDR:PORT\n");
	exit(2);
}

static void parse_target(const char *arg)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	char *end;
	unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;

	if (!colon || (size_t)(colon - arg) >= sizeof(host) || *end || !port || port > 65535)
		usage();
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	server.sin_family = AF_INET;
	server.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &server.sin_addr) != 1)
		usage();
}

static unsigned long number(const char *arg, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg < '0' || *arg > '9' || *end || v < min || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static struct client clients[MAX_THREADS];
	unsigned threads = 1;
	int opt, bad = 0;

	while ((opt = getopt(argc, argv, "j:a:c:i:bqh")) != -1) {
		switch (opt) {
		case 'j': threads = (unsigned)number(optarg, 1, MAX_THREADS); break;
		case 'a': inflight = (unsigned)number(optarg, 1, MAX_INFLIGHT); break;
		case 'c': count = number(optarg, 1, 1ul << 40); break;
		case 'i': (void)number(optarg, 1, 1); break;
		case 'b': case 'q': break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	parse_target(argv[optind]);
	pthread_barrier_init(&start_line, NULL, threads + 1);
	for (unsigned i = 0; i < threads; i++) {
		int err = connect_client(&clients[i], i);
		if (err) {
			fprintf(stderr, "rpc_floor_client: connect %s: %s\n", argv[optind], strerror(err));
			return 1;
		}
	}
	for (unsigned i = 0; i < threads; i++)
		pthread_create(&clients[i].tid, NULL, client_main, &clients[i]);
	double c0 = cpu_s(), t0 = now_s();
	pthread_barrier_wait(&start_line);
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(clients[i].tid, NULL);
		if (clients[i].err) {
			fprintf(stderr, "rpc_floor_client: thread %u: %s\n", i, clients[i].err < 0 ?
				"unexpected reply" : strerror(clients[i].err));
			bad = 1;
		}
	}
	double secs = now_s() - t0, cpu = cpu_s() - c0, calls = (double)count * threads;
	if (bad)
		return 1;
	printf("calls %.0f secs %.6f rate %.0f cpu_us_per_call %.3f\n",
	       calls, secs, calls / secs, cpu * 1e6 / calls);
	return 0;
}
