// SPDX-License-Identifier: BSD-2-Clause
/*
 * epoll_echo: the baseline peer for `make bench`. A plain single-threaded
 * TCP echo server with level-triggered epoll: read up to 64 KiB, write it
 * back; what the socket does not take is kept for that connection, which
 * then waits for EPOLLOUT and is not read until its output is flushed (so
 * its memory is bounded by one buffer per connection). Nothing else: no
 * batching across connections, no limits, no workers. It is what a careful
 * programmer writes in an afternoon, and what kecho must beat.
 *
 *   epoll_echo [-p PORT] [-a ADDR]
 *
 * -p 0 picks a free port; -a defaults to 127.0.0.1. Once listening it prints
 * "listening on ADDR:PORT" ("[ADDR]:PORT" for IPv6). SIGINT or SIGTERM
 * closes everything and exits 0 after printing a counters line to stderr.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MAX_EVENTS 256

struct conn {
	int fd;
	char *out;		/* unsent output (malloc'd), or NULL */
	size_t out_len, out_off;
};

static uint64_t n_accepted, n_closed, bytes_in, bytes_out;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int listen_on(const char *addr, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[NI_MAXHOST], p[NI_MAXSERV];
	int fd = -1, one = 1, r;

	if ((r = getaddrinfo(addr, port, &hints, &ai)) != 0) {
		fprintf(stderr, "epoll_echo: %s: %s\n", addr, gai_strerror(r));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	if (getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		goto fail;
	printf(ss.ss_family == AF_INET6 ? "listening on [%s]:%s\n" : "listening on %s:%s\n", h, p);
	fflush(stdout);
	freeaddrinfo(ai);
	return fd;
fail:
	fprintf(stderr, "epoll_echo: listen on %s port %s: %s\n", addr, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
	n_closed++;
}

static int watch(int ep, int op, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	return epoll_ctl(ep, op, c->fd, &ev);
}

static void accept_all(int ep, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;	/* EAGAIN, or a transient error: try again later */
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		if (watch(ep, EPOLL_CTL_ADD, c, EPOLLIN) < 0) {
			close(fd);
			free(c);
			continue;
		}
		n_accepted++;
	}
}

/* Write data; keep what the socket does not take and switch the
 * connection to EPOLLOUT. Returns 0, or -1 if the connection is dead. */
static int send_or_keep(int ep, struct conn *c, const char *data, size_t len)
{
	ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

	if (n < 0) {
		if (errno != EAGAIN)
			return -1;
		n = 0;
	}
	bytes_out += n;
	if ((size_t)n == len)
		return 0;
	c->out = malloc(len - n);
	if (!c->out)
		return -1;
	memcpy(c->out, data + n, len - n);
	c->out_len = len - n;
	c->out_off = 0;
	return watch(ep, EPOLL_CTL_MOD, c, EPOLLOUT);
}

static int on_readable(int ep, struct conn *c, char *buf)
{
	ssize_t n = recv(c->fd, buf, BUF_SIZE, 0);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;	/* EOF; nothing is pending, as we read only then */
	bytes_in += n;
	return send_or_keep(ep, c, buf, n);
}

static int on_writable(int ep, struct conn *c)
{
	ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	bytes_out += n;
	c->out_off += n;
	if (c->out_off < c->out_len)
		return 0;
	free(c->out);
	c->out = NULL;
	return watch(ep, EPOLL_CTL_MOD, c, EPOLLIN);
}

static void usage(void)
{
	fprintf(stderr, "usage: epoll_echo [-p PORT] [-a ADDR]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct epoll_event evs[MAX_EVENTS];
	struct sigaction sa = { .sa_handler = on_signal };
	const char *addr = "127.0.0.1", *port = "60007";
	sigset_t block, orig;
	int opt, ep, lfd, i, n;

	while ((opt = getopt(argc, argv, "p:a:h")) != -1) {
		switch (opt) {
		case 'p': port = optarg; break;
		case 'a': addr = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* Signals are blocked except inside epoll_pwait, so none is lost
	 * between the check of `stopping` and going to sleep. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = listen_on(addr, port)) < 0)
		return 1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, lfd,
				&(struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL }) < 0) {
		perror("epoll_echo: epoll");
		return 1;
	}
	while (!stopping) {
		n = epoll_pwait(ep, evs, MAX_EVENTS, -1, &orig);
		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			int r = 0;

			if (!c) {
				accept_all(ep, lfd);
				continue;
			}
			if (c->out)
				r = on_writable(ep, c);
			else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				r = on_readable(ep, c, buf);
			if (r < 0)
				conn_close(ep, c);
		}
	}
	/* Connections still open are closed by exit(). */
	fprintf(stderr, "epoll_echo: stats conns_accepted=%llu conns_closed=%llu bytes_in=%llu bytes_out=%llu\n",
		(unsigned long long)n_accepted, (unsigned long long)n_closed,
		(unsigned long long)bytes_in, (unsigned long long)bytes_out);
	close(lfd);
	close(ep);
	return 0;
}
