// SPDX-License-Identifier: BSD-2-Clause
/*
 * manyconn: open N TCP connections to an echo server at once and keep them
 * all open; on each, send a distinct message and verify its echo, then do a
 * second round on every connection while all N are still open, so the
 * server must hold and serve all of them concurrently. One thread,
 * nonblocking sockets, one epoll set, bounded by a deadline.
 *
 *   manyconn [-n CONNS] [-r ROUNDS] [-t SECONDS] HOST PORT
 *
 * Exit 0 when every echo matched, 1 on any mismatch, early close, connect
 * error or deadline, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX 512

struct mconn {
	int fd;
	int id;
	int connected;
	int round;		/* rounds completed */
	size_t len;		/* this round's message length */
	size_t sent, recvd;
};

static int nconns = 1000, nrounds = 2;
static double deadline_s = 60;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Message bytes: distinct per connection and round. */
static size_t msg_len(int id, int round)
{
	return 16 + (size_t)(id * 37 + round * 101) % (MSG_MAX - 16);
}

static unsigned char msg_byte(int id, int round, size_t k)
{
	return (unsigned char)(id * 7 + round * 13 + k * 131 + (k >> 3));
}

static int raise_nofile(int need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur >= (rlim_t)need)
		return 0;
	rl.rlim_cur = need;
	if (rl.rlim_max < (rlim_t)need)
		rl.rlim_max = need;	/* works as root */
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return 0;
}

static int start_connect(const struct addrinfo *ai, struct mconn *c, int ep)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
		return -errno;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		return -errno;
	return 0;
}

static void begin_round(struct mconn *c)
{
	c->len = msg_len(c->id, c->round);
	c->sent = c->recvd = 0;
}

/* Send what the socket takes of this round's message. */
static int do_send(struct mconn *c)
{
	unsigned char buf[MSG_MAX];
	ssize_t n;
	size_t k;

	for (k = c->sent; k < c->len; k++)
		buf[k - c->sent] = msg_byte(c->id, c->round, k);
	n = send(c->fd, buf, c->len - c->sent, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	c->sent += n;
	return 0;
}

/* Read and verify echoed bytes. Returns 1 when the round is complete. */
static int do_recv(struct mconn *c)
{
	unsigned char buf[MSG_MAX];
	ssize_t n, i;

	n = recv(c->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n == 0) {
		fprintf(stderr, "manyconn: conn %d: closed by server after %zu of %zu bytes (round %d)\n",
			c->id, c->recvd, c->len, c->round + 1);
		return -EPIPE;
	}
	if (c->recvd + n > c->sent) {
		fprintf(stderr, "manyconn: conn %d: got %zu bytes, sent only %zu\n",
			c->id, c->recvd + n, c->sent);
		return -EPROTO;
	}
	for (i = 0; i < n; i++) {
		unsigned char want = msg_byte(c->id, c->round, c->recvd + i);

		if (buf[i] != want) {
			fprintf(stderr, "manyconn: conn %d round %d: byte %zu is 0x%02x, expected 0x%02x\n",
				c->id, c->round + 1, c->recvd + i, buf[i], want);
			return -EPROTO;
		}
	}
	c->recvd += n;
	return c->recvd == c->len;
}

static int set_events(int ep, struct mconn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0 ? -errno : 0;
}

/* Handle readiness on one connection. Returns 1 when it finished a round,
 * 0 if it goes on, -errno on failure. */
static int on_event(int ep, struct mconn *c, uint32_t events)
{
	int err = 0, r;
	socklen_t el = sizeof(err);

	if (!c->connected) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			return -errno;
		if (err)
			return -err;
		if (!(events & EPOLLOUT))
			return 0;
		c->connected = 1;
		begin_round(c);
	}
	if (c->sent < c->len) {
		if ((r = do_send(c)) < 0)
			return r;
		if (c->sent == c->len && (r = set_events(ep, c, EPOLLIN)) < 0)
			return r;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	r = do_recv(c);
	if (r == 1) {
		c->round++;
		/* Park the connection (open, not polled) until the next round. */
		if (epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL) < 0)
			return -errno;
	}
	return r;
}

static void usage(void)
{
	fprintf(stderr, "usage: manyconn [-n CONNS] [-r ROUNDS] [-t SECONDS] HOST PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai;
	struct epoll_event evs[256];
	struct mconn *cs;
	int opt, ep, i, r, done, connected = 0, round;
	double t0, end;

	while ((opt = getopt(argc, argv, "n:r:t:")) != -1) {
		switch (opt) {
		case 'n': nconns = atoi(optarg); break;
		case 'r': nrounds = atoi(optarg); break;
		case 't': deadline_s = atof(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || nconns <= 0 || nrounds <= 0 || deadline_s <= 0)
		usage();
	if ((r = getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai)) != 0) {
		fprintf(stderr, "manyconn: %s: %s\n", argv[optind], gai_strerror(r));
		return 2;
	}
	if ((r = raise_nofile(nconns + 64)) < 0) {
		fprintf(stderr, "manyconn: cannot raise RLIMIT_NOFILE to %d: %s\n",
			nconns + 64, strerror(-r));
		return 1;
	}
	cs = calloc(nconns, sizeof(*cs));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (!cs || ep < 0) {
		perror("manyconn");
		return 1;
	}
	t0 = now();
	end = t0 + deadline_s;
	for (i = 0; i < nconns; i++) {
		cs[i].id = i;
		if ((r = start_connect(ai, &cs[i], ep)) < 0) {
			fprintf(stderr, "manyconn: conn %d: connect: %s\n", i, strerror(-r));
			return 1;
		}
	}
	for (round = 0; round < nrounds; round++) {
		if (round > 0) {
			/* Every connection is still open: start the next round on all. */
			for (i = 0; i < nconns; i++) {
				struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = &cs[i] };

				begin_round(&cs[i]);
				if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) {
					perror("manyconn: epoll_ctl");
					return 1;
				}
			}
		}
		done = 0;
		while (done < nconns) {
			int n, ms = (int)((end - now()) * 1000);

			if (ms <= 0) {
				fprintf(stderr, "manyconn: deadline (%.0f s): round %d: %d of %d connections done, %d connected\n",
					deadline_s, round + 1, done, nconns, connected);
				return 1;
			}
			n = epoll_wait(ep, evs, 256, ms < 1000 ? ms : 1000);
			if (n < 0 && errno != EINTR) {
				perror("manyconn: epoll_wait");
				return 1;
			}
			for (i = 0; i < n; i++) {
				struct mconn *c = evs[i].data.ptr;
				int was = c->connected;

				r = on_event(ep, c, evs[i].events);
				connected += c->connected - was;
				if (r < 0) {
					if (r != -EPIPE && r != -EPROTO)
						fprintf(stderr, "manyconn: conn %d: %s\n", c->id, strerror(-r));
					return 1;
				}
				done += r;
			}
		}
	}
	printf("manyconn: %d concurrent connections, %d rounds each, all echoes verified in %.2f s\n",
	       nconns, nrounds, now() - t0);
	for (i = 0; i < nconns; i++)
		close(cs[i].fd);
	free(cs);
	freeaddrinfo(ai);
	return 0;
}
