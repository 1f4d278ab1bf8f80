// SPDX-License-Identifier: BSD-2-Clause
/*
 * conncheck: small TCP probes for the limit tests.
 *
 *   conncheck maxconns HOST PORT N
 *	Open N connections and keep them all open; then on each send one byte
 *	and see whether it comes back (served) or the connection is closed or
 *	reset (refused). Prints "served=S refused=R". Then closes them all and
 *	waits (up to 10 s) until a new connection is served again, printing
 *	"reconnect=ok". Exit 0 if that worked, 1 otherwise.
 *
 *   conncheck idle HOST PORT ACTIVE_SECONDS
 *	Open an idle connection A and an active one B. B sends one byte every
 *	200 ms and checks its echo. Waits (up to 30 s) for the server to close
 *	A, and keeps B going for at least ACTIVE_SECONDS. Prints
 *	"idle_closed=1 active_ok=1 pings=N"; exit 0 if A was closed and B never was.
 *
 *   conncheck hold HOST PORT N SECONDS
 *	Open N connections at once (for a server at its descriptor limit),
 *	send one byte on each, and wait (up to 15 s) until each is echoed
 *	(served) or closed or reset (refused). Prints "served=S refused=R
 *	hung=H", then keeps them all open for SECONDS more (the caller looks
 *	at the server meanwhile) and prints "held". Exit 0 if none hung.
 *
 *   conncheck listen HOST [PORT [SECONDS]]
 *	Listen (no SO_REUSEPORT) on HOST port PORT (default 0), print
 *	"listening on HOST:PORT", then hold the socket for SECONDS (default
 *	60) or until killed. Used to occupy a port.
 *
 * Exit 2 on usage errors.
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct addrinfo *resolve(const char *host, const char *port, int passive)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) };
	struct addrinfo *ai;
	int r;

	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0) {
		fprintf(stderr, "conncheck: %s: %s\n", host, gai_strerror(r));
		exit(2);
	}
	return ai;
}

static int connect_to(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		fprintf(stderr, "conncheck: connect: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/* Send one byte and wait up to timeout_ms for it to come back.
 * Returns 1 if echoed, 0 if the peer closed or reset, -1 on timeout. */
static int ping(int fd, char byte, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char got;
	ssize_t n;

	if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1)
		return 0;
	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	n = recv(fd, &got, 1, 0);
	if (n == 1 && got == byte)
		return 1;
	if (n == 1) {
		fprintf(stderr, "conncheck: echoed 0x%02x for 0x%02x\n", got, byte);
		exit(1);
	}
	return 0;
}

/* Has the peer closed or reset fd? (Non-blocking look.) */
static int peer_closed(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

static int cmd_maxconns(const char *host, const char *port, int n)
{
	struct addrinfo *ai = resolve(host, port, 0);
	int fds[1024], i, served = 0, refused = 0, r;
	double end;

	if (n <= 0 || n > 1024)
		return 2;
	for (i = 0; i < n; i++)
		fds[i] = connect_to(ai);
	for (i = 0; i < n; i++) {
		r = ping(fds[i], (char)('a' + i % 26), 10000);
		if (r < 0) {
			fprintf(stderr, "conncheck: conn %d: neither echoed nor closed within 10 s\n", i);
			return 1;
		}
		if (r)
			served++;
		else
			refused++;
	}
	printf("served=%d refused=%d\n", served, refused);
	fflush(stdout);
	for (i = 0; i < n; i++)
		close(fds[i]);
	/* The server notices the closes asynchronously: retry until served. */
	for (end = now() + 10; now() < end;) {
		int fd = connect_to(ai);

		r = ping(fd, 'z', 2000);
		close(fd);
		if (r == 1) {
			printf("reconnect=ok\n");
			freeaddrinfo(ai);
			return 0;
		}
		usleep(100 * 1000);
	}
	printf("reconnect=failed\n");
	return 1;
}

static int cmd_hold(const char *host, const char *port, int n, double hold_s)
{
	struct addrinfo *ai = resolve(host, port, 0);
	struct pollfd p[1024];
	int state[1024], i, served = 0, refused = 0, left = n;
	double end;
	char got;

	if (n <= 0 || n > 1024)
		return 2;
	for (i = 0; i < n; i++) {
		p[i] = (struct pollfd){ .fd = connect_to(ai), .events = POLLIN };
		state[i] = send(p[i].fd, "h", 1, MSG_NOSIGNAL) == 1 ? 0 : -1;
	}
	for (end = now() + 15; left && now() < end;) {
		for (i = 0; i < n; i++)
			p[i].events = state[i] ? 0 : POLLIN;
		if (poll(p, (nfds_t)n, 100) < 0)
			break;
		for (i = 0; i < n; i++) {
			if (state[i] || !(p[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			state[i] = recv(p[i].fd, &got, 1, MSG_DONTWAIT) == 1 ? 1 : -1;
			left--;
		}
	}
	for (i = 0; i < n; i++) {
		served += state[i] == 1;
		refused += state[i] == -1;
	}
	printf("served=%d refused=%d hung=%d\n", served, refused, n - served - refused);
	fflush(stdout);
	usleep((useconds_t)(hold_s * 1e6));
	for (i = 0; i < n; i++)
		close(p[i].fd);
	printf("held\n");
	freeaddrinfo(ai);
	return served + refused == n ? 0 : 1;
}

static int cmd_idle(const char *host, const char *port, double active_s)
{
	struct addrinfo *ai = resolve(host, port, 0);
	int a = connect_to(ai), b = connect_to(ai), pings = 0, idle_closed = 0;
	double t0 = now(), closed_at = 0;

	/* Make sure A was accepted and served once, then leave it idle. */
	if (ping(a, 'A', 10000) != 1) {
		fprintf(stderr, "conncheck: idle connection not served at all\n");
		return 1;
	}
	while (now() - t0 < 30) {
		int r = ping(b, (char)('0' + pings % 10), 10000);

		if (r != 1) {
			fprintf(stderr, "conncheck: active connection %s after %.1f s (%d pings)\n",
				r ? "not echoed within 10 s" : "closed by server",
				now() - t0, pings);
			return 1;
		}
		pings++;
		if (!idle_closed && peer_closed(a)) {
			idle_closed = 1;
			closed_at = now() - t0;
		}
		if (idle_closed && now() - t0 >= active_s)
			break;
		usleep(200 * 1000);
	}
	if (!idle_closed) {
		fprintf(stderr, "conncheck: idle connection still open after 30 s\n");
		return 1;
	}
	printf("idle_closed=1 idle_closed_after=%.1fs active_ok=1 pings=%d\n", closed_at, pings);
	close(a);
	close(b);
	freeaddrinfo(ai);
	return 0;
}

static int cmd_listen(const char *host, const char *port, double hold_s)
{
	struct addrinfo *ai = resolve(host, port, 1);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[NI_MAXHOST], p[NI_MAXSERV];
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		fprintf(stderr, "conncheck: listen: %s\n", strerror(errno));
		return 1;
	}
	printf(ss.ss_family == AF_INET6 ? "listening on [%s]:%s\n" : "listening on %s:%s\n", h, p);
	fflush(stdout);
	usleep((useconds_t)(hold_s * 1e6));
	freeaddrinfo(ai);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: conncheck maxconns HOST PORT N\n"
			"       conncheck idle HOST PORT ACTIVE_SECONDS\n"
			"       conncheck hold HOST PORT N SECONDS\n"
			"       conncheck listen HOST [PORT [SECONDS]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "maxconns"))
		return cmd_maxconns(argv[2], argv[3], atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "idle"))
		return cmd_idle(argv[2], argv[3], atof(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "hold"))
		return cmd_hold(argv[2], argv[3], atoi(argv[4]), atof(argv[5]));
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "listen"))
		return cmd_listen(argv[2], argc > 3 ? argv[3] : "0", argc > 4 ? atof(argv[4]) : 60);
	usage();
	return 2;
}
