// SPDX-License-Identifier: BSD-2-Clause
/*
 * chaos: abusive TCP clients for the chaos test (tests/integ/chaos.sh), the
 * kinds no other helper has. Each mode runs for -t SECONDS, over and over on
 * new connections, with seeded (-s) random sizes and timings:
 *
 *   slowloris  dribble a message one byte every 20-80 ms, then read its echo
 *   slowread   a 4 KiB receive buffer; send up to 256 KiB, read 1 KiB every
 *              10 ms, so the server's output queue fills and reading pauses
 *   storm      open -n connections at once (default 40), then close them,
 *              half with an RST (SO_LINGER 0), half with a FIN
 *   garbage    random bytes, then a half-close, then read to EOF
 *
 * With -e (an echo server) every byte that comes back is checked against
 * what was sent: a wrong byte, or more bytes than were sent, fails. The
 * server may close or reset any connection at any time (limits): then the
 * mode goes on with a new one. Prints one line
 *
 *   chaos MODE: conns=N echoed=N closed=N
 *
 *   chaos [-e] [-t SECONDS] [-n N] [-s SEED] MODE HOST PORT
 *
 * Exit 0 when every echoed byte was right, 1 on a wrong byte or when no
 * connection could be made at all, 2 on usage errors.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG (256 * 1024)

static struct addrinfo *srv;
static int echo;
static unsigned long conns, echoed, closed, bad;
static unsigned seed = 1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned rnd(unsigned n) { return (unsigned)rand_r(&seed) % n; }

static void msleep(unsigned ms) { usleep(ms * 1000u); }

/* A connected socket (rcvbuf > 0: that receive buffer), or -1. */
static int dial(int rcvbuf)
{
	int fd = socket(srv->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, srv->ai_addr, srv->ai_addrlen) < 0) {
		close(fd);
		return -1;
	}
	conns++;
	return fd;
}

static void rst_close(int fd)
{
	struct linger l = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Check n echoed bytes against what was sent at offset off. */
static int check(const char *sent, size_t nsent, size_t off, const char *got, size_t n)
{
	if (!echo)
		return 0;
	if (off + n > nsent || memcmp(sent + off, got, n)) {
		fprintf(stderr, "chaos: wrong echo at byte %zu (%zu bytes back, %zu sent)\n",
			off, n, nsent);
		bad++;
		return -1;
	}
	echoed += n;
	return 0;
}

/* Read what is there within ms into the echo check; -1 on a bad byte, 0 on
 * EOF or reset, else 1. */
static int drain(int fd, const char *sent, size_t nsent, size_t *got, int ms, size_t max)
{
	static char buf[65536];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 1;
	n = recv(fd, buf, max < sizeof(buf) ? max : sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (n <= 0) {
		closed++;
		return 0;
	}
	if (check(sent, nsent, *got, buf, (size_t)n))
		return -1;
	*got += (size_t)n;
	return 1;
}

static void fill(char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (char)rnd(256);
}

/* The modes: one connection (storm: one burst) each; -1 on a wrong echo. */
static int slowloris(double end)
{
	char msg[128];
	size_t n = 16 + rnd(100), got = 0;
	int fd = dial(0), r = 1;

	if (fd < 0)
		return 0;
	fill(msg, n);
	for (size_t i = 0; i < n && r > 0 && now() < end; i++) {
		if (send(fd, msg + i, 1, MSG_NOSIGNAL) != 1) {
			closed++;
			r = 0;
			break;
		}
		msleep(20 + rnd(60));
		r = drain(fd, msg, n, &got, 0, sizeof(msg));
	}
	while (r > 0 && echo && got < n && now() < end)
		r = drain(fd, msg, n, &got, 100, sizeof(msg));
	rnd(2) ? close(fd) : rst_close(fd);
	return r < 0 ? -1 : 0;
}

static int slowread(double end)
{
	static char msg[MAX_MSG];
	size_t n = 16384 + rnd(MAX_MSG - 16384), sent = 0, got = 0;
	int fd = dial(4096), r = 1;

	if (fd < 0)
		return 0;
	fill(msg, n);
	while (r > 0 && now() < end && (got < n || !echo)) {
		if (sent < n) {
			ssize_t k = send(fd, msg + sent, n - sent < 4096 ? n - sent : 4096,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k > 0)
				sent += (size_t)k;
			else if (k < 0 && errno != EAGAIN && errno != EINTR) {
				closed++;
				break;
			}
		}
		msleep(10);
		r = drain(fd, msg, sent, &got, 0, 1024);
		if (!echo && sent == n)
			break;
	}
	rnd(2) ? close(fd) : rst_close(fd);
	return r < 0 ? -1 : 0;
}

static int storm(int count)
{
	int fds[1024];
	int k = 0;

	for (int i = 0; i < count && i < 1024; i++)
		if ((fds[k] = dial(0)) >= 0)
			k++;
	for (int i = 0; i < k; i++) {
		if (i % 3 == 0)
			(void)!send(fds[i], "x", 1, MSG_NOSIGNAL);
		i % 2 ? close(fds[i]) : rst_close(fds[i]);
	}
	return 0;
}

static int garbage(double end)
{
	static char msg[8192];
	size_t n = 1 + rnd(sizeof(msg)), got = 0;
	int fd = dial(0), r = 1;

	if (fd < 0)
		return 0;
	fill(msg, n);
	if (send(fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n) {
		closed++;
		close(fd);
		return 0;
	}
	shutdown(fd, SHUT_WR);
	while (r > 0 && now() < end && (!echo || got < n))
		r = drain(fd, msg, n, &got, 200, sizeof(msg));
	close(fd);
	return r < 0 ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: chaos [-e] [-t SECONDS] [-n N] [-s SEED] "
		"slowloris|slowread|storm|garbage HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	double secs = 5, end;
	int opt, n = 40, r;
	const char *mode;

	while ((opt = getopt(argc, argv, "et:n:s:")) != -1) {
		switch (opt) {
		case 'e': echo = 1; break;
		case 't': secs = atof(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 's': seed = (unsigned)strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (argc - optind != 3 || n <= 0)
		usage();
	mode = argv[optind];
	if ((r = getaddrinfo(argv[optind + 1], argv[optind + 2], &hints, &srv)) != 0) {
		fprintf(stderr, "chaos: %s: %s\n", argv[optind + 1], gai_strerror(r));
		return 2;
	}
	if (strcmp(mode, "slowloris") && strcmp(mode, "slowread") && strcmp(mode, "storm") &&
	    strcmp(mode, "garbage"))
		usage();
	end = now() + secs;
	while (now() < end && !bad) {
		if (!strcmp(mode, "slowloris")) {
			slowloris(end);
		} else if (!strcmp(mode, "slowread")) {
			slowread(end);
		} else if (!strcmp(mode, "storm")) {
			storm(n);
			msleep(50 + rnd(100));
		} else {
			garbage(end);
		}
	}
	printf("chaos %s: conns=%lu echoed=%lu closed=%lu\n", mode, conns, echoed, closed);
	freeaddrinfo(srv);
	if (!conns)
		fprintf(stderr, "chaos %s: no connection could be made\n", mode);
	return bad || !conns ? 1 : 0;
}
