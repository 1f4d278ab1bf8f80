// SPDX-License-Identifier: BSD-2-Clause
/*
 * disconnect: clients that go away in the middle of a message, over and
 * over, to check that an echo server survives every way a peer can leave.
 * Each iteration connects, sends the first half of a BYTES-long message and
 * then leaves in one of these ways (cycled, or one chosen with -m):
 *
 *   fin    shutdown(SHUT_WR) after the half, then read the echo to EOF and
 *          verify it: the server must flush what it got, then close
 *   close  close() while echoed bytes sit unread (Linux then sends RST)
 *   rst    SO_LINGER {1, 0} then close(): an immediate RST
 *   stuck  send without reading until the send stalls, then RST: the server
 *          has queued output and unread input when the reset arrives
 *   early  connect and close at once, before sending anything
 *   rst0   connect and RST at once (the server may see ECONNABORTED on accept)
 *
 *   disconnect [-n ITERATIONS] [-m MODE] [-l BYTES] [-t SECONDS] HOST PORT
 *
 * Exit 0 when every iteration went as expected, 1 if the server refused a
 * connection, corrupted an echo or stopped making progress, 2 on usage.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { M_FIN, M_CLOSE, M_RST, M_STUCK, M_EARLY, M_RST0, M_ALL };
static const char *const mode_names[] = { "fin", "close", "rst", "stuck", "early", "rst0", "all" };

static struct addrinfo *srv;
static size_t half = 512 * 1024;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char pat(size_t k) { return (unsigned char)(k * 131 + (k >> 10)); }

static int connect_srv(void)
{
	int fd = socket(srv->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, srv->ai_addr, srv->ai_addrlen) < 0) {
		fprintf(stderr, "disconnect: connect: %s\n", strerror(errno));
		return -1;
	}
	return fd;
}

static void reset_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Read what is there; verify it against the pattern if *rcvd tracks it.
 * Returns bytes read, 0 on EOF, -1 on error or mismatch. */
static ssize_t drain(int fd, size_t *rcvd, int verify)
{
	unsigned char buf[65536];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT), i;

	if (n < 0 && errno == EAGAIN)
		return 1;
	if (n < 0) {
		fprintf(stderr, "disconnect: recv after %zu bytes: %s\n", *rcvd, strerror(errno));
		return -1;
	}
	for (i = 0; verify && i < n; i++) {
		if (buf[i] != pat(*rcvd + i)) {
			fprintf(stderr, "disconnect: echo byte %zu is 0x%02x, expected 0x%02x\n",
				*rcvd + i, buf[i], pat(*rcvd + i));
			return -1;
		}
	}
	*rcvd += n;
	return n;
}

/* Send the first half of the message, reading (and verifying if asked)
 * echoes meanwhile unless noread. Stops early if the socket takes nothing
 * for stall seconds. Returns bytes sent, or -1 on error. */
static long send_half(int fd, size_t *rcvd, int verify, int noread, double stall)
{
	unsigned char buf[65536];
	size_t sent = 0, k;
	double last = now();

	while (sent < half) {
		struct pollfd p = { .fd = fd, .events = POLLOUT | (noread ? 0 : POLLIN) };
		size_t want = half - sent < sizeof(buf) ? half - sent : sizeof(buf);
		ssize_t n;

		if (poll(&p, 1, 100) < 0) {
			perror("disconnect: poll");
			return -1;
		}
		if ((p.revents & POLLIN) && (n = drain(fd, rcvd, verify)) <= 0) {
			if (n == 0)
				fprintf(stderr, "disconnect: EOF from server after sending %zu bytes\n", sent);
			return -1;
		}
		if (p.revents & POLLOUT) {
			for (k = 0; k < want; k++)
				buf[k] = pat(sent + k);
			n = send(fd, buf, want, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN) {
				fprintf(stderr, "disconnect: send: %s\n", strerror(errno));
				return -1;
			}
			if (n > 0) {
				sent += n;
				last = now();
			}
		}
		if (now() - last > stall)
			break;
	}
	return (long)sent;
}

/* fin: half-close, then the whole echo must come back before EOF. */
static int finish_fin(int fd, size_t sent, size_t rcvd)
{
	double end = now() + 20;

	shutdown(fd, SHUT_WR);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		poll(&p, 1, 100);
		n = drain(fd, &rcvd, 1);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (rcvd != sent) {
				fprintf(stderr, "disconnect: fin: got %zu bytes back of %zu before EOF\n",
					rcvd, sent);
				return -1;
			}
			return 0;
		}
	}
	fprintf(stderr, "disconnect: fin: no EOF within 20 s (%zu of %zu bytes back)\n", rcvd, sent);
	return -1;
}

static int one(enum mode m)
{
	size_t rcvd = 0;
	long sent;
	int fd = connect_srv();

	if (fd < 0)
		return -1;
	switch (m) {
	case M_EARLY:
		close(fd);
		return 0;
	case M_RST0:
		reset_close(fd);
		return 0;
	case M_STUCK:
		sent = send_half(fd, &rcvd, 0, 1, 0.2);
		break;
	default:
		/* The server echoes as we send, so it must keep taking bytes. */
		sent = send_half(fd, &rcvd, m == M_FIN, 0, 10);
		if (sent >= 0 && (size_t)sent < half) {
			fprintf(stderr, "disconnect: %s: server stopped taking bytes after %ld\n",
				mode_names[m], sent);
			sent = -1;
		}
		break;
	}
	if (sent < 0) {
		close(fd);
		return -1;
	}
	if (m == M_FIN) {
		int r = finish_fin(fd, sent, rcvd);

		close(fd);
		return r;
	}
	if (m == M_CLOSE)
		close(fd);
	else
		reset_close(fd);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: disconnect [-n ITERATIONS] [-m fin|close|rst|stuck|early|rst0|all]"
			" [-l BYTES] [-t SECONDS] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	int opt, iters = 60, i, r, counts[M_ALL] = { 0 };
	enum mode mode = M_ALL;
	double end, limit = 120;

	while ((opt = getopt(argc, argv, "n:m:l:t:")) != -1) {
		switch (opt) {
		case 'n': iters = atoi(optarg); break;
		case 'l': half = strtoull(optarg, NULL, 0) / 2; break;
		case 't': limit = atof(optarg); break;
		case 'm':
			for (mode = 0; mode <= M_ALL; mode++)
				if (!strcmp(optarg, mode_names[mode]))
					break;
			if (mode > M_ALL)
				usage();
			break;
		default: usage();
		}
	}
	if (argc - optind != 2 || iters <= 0 || half == 0)
		usage();
	if ((r = getaddrinfo(argv[optind], argv[optind + 1], &hints, &srv)) != 0) {
		fprintf(stderr, "disconnect: %s: %s\n", argv[optind], gai_strerror(r));
		return 2;
	}
	end = now() + limit;
	for (i = 0; i < iters; i++) {
		enum mode m = mode == M_ALL ? (enum mode)(i % M_ALL) : mode;

		if (now() > end) {
			fprintf(stderr, "disconnect: deadline (%.0f s) after %d iterations\n", limit, i);
			return 1;
		}
		if (one(m) < 0) {
			fprintf(stderr, "disconnect: iteration %d (%s) failed\n", i, mode_names[m]);
			return 1;
		}
		counts[m]++;
	}
	printf("disconnect: %d iterations ok:", iters);
	for (i = 0; i < M_ALL; i++)
		if (counts[i])
			printf(" %s=%d", mode_names[i], counts[i]);
	printf("\n");
	freeaddrinfo(srv);
	return 0;
}
