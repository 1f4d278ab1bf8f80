// SPDX-License-Identifier: BSD-2-Clause
/*
 * noread: a client that sends and never reads. It connects, sends up to
 * BYTES (nonblocking) and stops when it has sent them all or when the socket
 * has taken nothing for STALL seconds, prints one line
 *
 *   noread: sent N bytes (stalled|complete)
 *
 * then keeps the connection open, still not reading, for HOLD seconds (or
 * until killed) so the caller can look at the server meanwhile. Against an
 * echo server with output backpressure it must stall: the server stops
 * reading once its queue for this connection is full.
 *
 *   noread [-n BYTES] [-s STALL] [-h HOLD] [-m SIZE] [-i USEC] [-r RCVBUF] [-f] HOST PORT
 *
 * -f: shut down the sending side (FIN) after sending, still never reading.
 * -m SIZE, -i USEC: send SIZE bytes per call (default 65536, at most that)
 * with TCP_NODELAY, sleeping USEC between calls (default 0): a trickle of
 * small segments, each likely to land in a receive buffer of its own.
 * -r RCVBUF: SO_RCVBUF before connecting; a small one keeps the kernel
 * from absorbing the echoes, so they stay queued in the server.
 *
 * Exit 0 after the hold, 1 on connect or send errors, 2 on usage errors.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(const char *host, const char *port, int rcvbuf)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, r;

	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "noread: %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && rcvbuf > 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "noread: connect %s:%s: %s\n", host, port, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: noread [-n BYTES] [-s STALL_SECONDS] [-h HOLD_SECONDS] "
		"[-m SIZE] [-i USEC] [-r RCVBUF] [-f] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	unsigned long long total = 256ULL << 20, sent = 0;
	double stall = 2, hold = 60, last;
	int opt, fd, stalled = 0, fin = 0, one = 1, rcvbuf = 0;
	size_t i, size = sizeof(buf);
	unsigned long gap_us = 0;

	while ((opt = getopt(argc, argv, "n:s:h:m:i:r:f")) != -1) {
		switch (opt) {
		case 'n': total = strtoull(optarg, NULL, 0); break;
		case 's': stall = atof(optarg); break;
		case 'h': hold = atof(optarg); break;
		case 'm': size = strtoul(optarg, NULL, 0); break;
		case 'i': gap_us = strtoul(optarg, NULL, 0); break;
		case 'r': rcvbuf = atoi(optarg); break;
		case 'f': fin = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || size < 1 || size > sizeof(buf))
		usage();
	if ((fd = connect_to(argv[optind], argv[optind + 1], rcvbuf)) < 0)
		return 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + (i >> 8));
	last = now();
	while (sent < total) {
		size_t want = total - sent < size ? total - sent : size;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t n = send(fd, buf, want, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			sent += n;
			last = now();
			if (gap_us)
				usleep(gap_us);
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "noread: send after %llu bytes: %s\n", sent, strerror(errno));
			return 1;
		}
		if (now() - last >= stall) {
			stalled = 1;
			break;
		}
		poll(&p, 1, 100);
	}
	if (fin)
		shutdown(fd, SHUT_WR);
	printf("noread: sent %llu bytes (%s)\n", sent, stalled ? "stalled" : "complete");
	fflush(stdout);
	/* Hold the connection, never reading, until the deadline or a signal. */
	for (last = now(); now() - last < hold;)
		usleep(100 * 1000);
	close(fd);
	return 0;
}
