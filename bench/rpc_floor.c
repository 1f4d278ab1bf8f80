// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpc_floor: the floor for the RPC bench. The least a TCP ONC RPC server
 * can do: one thread, level-triggered epoll, read up to 64 KiB, split the
 * stream into records (RFC 5531 §11 record marking, fragments reassembled
 * only as far as finding each record's end), and answer every complete
 * record with a fixed 24-byte MSG_ACCEPTED/SUCCESS reply (RFC 5531 §9)
 * whose xid is the record's first four bytes. All replies to one read go
 * out in one write. It decodes nothing else: no RPC version, program or
 * credential checks, so it answers garbage as happily as NULL calls. A real
 * server (krpc) does all of that and is measured against this.
 *
 *   rpc_floor [-p PORT] [-a IPV4ADDR] [-s] [-w WORKERS]
 *
 * -p 0 (the default) picks a free port; -a defaults to 127.0.0.1. -s spins:
 * the loop never sleeps (epoll_wait with a 0 timeout, all sockets
 * non-blocking), so it uses a whole CPU even when idle; it is the floor of
 * a server that busy-polls (krpc --busy-poll). -w N (default 1) runs N
 * such loops in N threads, each with its own epoll; the first also accepts
 * and hands the connections out round robin (the first to loop 0, the
 * second to loop 1, ...), so that two connections always land on two
 * threads: the floor of any N-worker server on this machine. Once
 * listening it prints "listening on ADDR:PORT". A connection whose output
 * the peer does not take is not read until it is flushed; a record longer
 * than 1 MiB + 4 KiB closes the connection. SIGINT or SIGTERM ends the
 * loop: it prints "rpc_floor: records=N conns=N" to stderr and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE	(64 * 1024)
#define MAX_EVENTS	256
#define MAX_RECORD	((1u << 20) + 4096u)
#define REPLY_SIZE	28	/* record mark + 24-byte reply body */
#define MAX_WORKERS	64

struct conn {
	int fd;
	uint8_t hdr[4];		/* record mark being read */
	unsigned hdr_have;	/* bytes of hdr read so far */
	uint32_t frag_left;	/* bytes left in the current fragment */
	bool last;		/* the current fragment ends the record */
	uint32_t rec_len;	/* payload bytes of the record so far */
	uint8_t xid[4];		/* the record's first four payload bytes */
	uint8_t *out;		/* unsent replies */
	size_t out_len, out_off, out_cap;
	bool blocked;		/* waiting for EPOLLOUT, not reading */
	uint64_t *records;	/* its loop's count of answered records */
};

/* One event loop (thread); loop 0 also owns the listening socket. */
struct loop {
	int ep;
	int timeout;		/* epoll_wait's: -1, 0 (-s), 200 ms (loops > 0) */
	int lfd;		/* the listening socket (loop 0 accepts) */
	uint64_t records;
	uint8_t *buf;		/* BUF_SIZE bytes */
	pthread_t tid;
};

static struct loop loops[MAX_WORKERS];
static unsigned n_loops = 1;
static uint64_t n_conns;
static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Append the fixed reply for the finished record: record mark (last
 * fragment, 24 bytes), xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE of
 * length 0, SUCCESS. */
static int reply(struct conn *c)
{
	static const uint8_t tail[20] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t mark[4] = { 0x80, 0, 0, 24 };
	uint8_t *p;

	if (c->out_len + REPLY_SIZE > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap * 2 : 4096;
		uint8_t *n = realloc(c->out, cap);

		if (!n)
			return -1;
		c->out = n;
		c->out_cap = cap;
	}
	p = c->out + c->out_len;
	memcpy(p, mark, 4);
	memcpy(p + 4, c->xid, 4);
	memcpy(p + 8, tail, sizeof(tail));
	c->out_len += REPLY_SIZE;
	(*c->records)++;
	return 0;
}

/* Feed bytes to the record splitter; queue a reply per complete record.
 * Returns -1 if the connection must be closed. */
static int consume(struct conn *c, const uint8_t *d, size_t n)
{
	while (n > 0) {
		if (c->frag_left == 0 && c->hdr_have < 4) {
			c->hdr[c->hdr_have++] = *d++;
			n--;
			if (c->hdr_have < 4)
				continue;
			uint32_t m = (uint32_t)c->hdr[0] << 24 | c->hdr[1] << 16 |
				     c->hdr[2] << 8 | c->hdr[3];
			c->frag_left = m & 0x7fffffffu;
			c->last = m >> 31;
			if ((uint64_t)c->rec_len + c->frag_left > MAX_RECORD)
				return -1;
		} else {
			size_t k = n < c->frag_left ? n : c->frag_left;

			for (size_t i = 0; i < k && c->rec_len + i < 4; i++)
				c->xid[c->rec_len + i] = d[i];
			c->rec_len += (uint32_t)k;
			c->frag_left -= (uint32_t)k;
			d += k;
			n -= k;
		}
		if (c->hdr_have == 4 && c->frag_left == 0) {
			c->hdr_have = 0;
			if (c->last) {
				if (reply(c) < 0)
					return -1;
				c->rec_len = 0;
				memset(c->xid, 0, 4);
			}
		}
	}
	return 0;
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Write queued replies; 1 when all are out, 0 when the socket is full,
 * -1 on error. A connection whose replies do not all fit waits for
 * EPOLLOUT instead of EPOLLIN, so it is not read until they are out. */
static int flush(int ep, struct conn *c)
{
	struct epoll_event ev = { .data.ptr = c };

	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			if (c->blocked)
				return 0;
			c->blocked = true;
			ev.events = EPOLLOUT;
			return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0 ? -1 : 0;
		}
		if (w < 0)
			return -1;
		c->out_off += (size_t)w;
	}
	c->out_off = c->out_len = 0;
	if (!c->blocked)
		return 1;
	c->blocked = false;
	ev.events = EPOLLIN;
	return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0 ? -1 : 1;
}

static void on_readable(int ep, struct conn *c, uint8_t *buf)
{
	ssize_t r = recv(c->fd, buf, BUF_SIZE, 0);

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0 || consume(c, buf, (size_t)r) < 0) {
		conn_close(ep, c);
		return;
	}
	if (c->out_len > 0 && flush(ep, c) < 0)
		conn_close(ep, c);
}

/* Accept what is pending; connection i goes to loop i % n_loops (its
 * epoll: epoll_ctl on another thread's epoll is safe, and the connection is
 * only ever touched by that thread once added). */
static void on_accept(int lfd)
{
	for (int i = 0; i < 64; i++) {
		int one = 1, fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct loop *l = &loops[n_conns % n_loops];
		struct conn *c;

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->records = &l->records;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			free(c);
			close(fd);
			continue;
		}
		n_conns++;
	}
}

static int listen_on(struct in_addr addr, unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = addr,
				   .sin_port = htons(port) };
	socklen_t sl = sizeof(sin);
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 4096) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0) {
		perror("rpc_floor: listen");
		return -1;
	}
	printf("listening on %s:%u\n", inet_ntoa(addr), ntohs(sin.sin_port));
	fflush(stdout);
	return fd;
}

/* One loop until SIGINT/SIGTERM: loop 0 wakes on the signal (it is the
 * main thread and the only one not blocking them); the others notice
 * `stopping` within their 200 ms timeout. */
static void *run_loop(void *arg)
{
	struct loop *l = arg;
	struct epoll_event evs[MAX_EVENTS];

	while (!stopping) {
		int n = epoll_wait(l->ep, evs, MAX_EVENTS, l->timeout);

		for (int i = 0; i < n; i++) {
			struct conn *cn = evs[i].data.ptr;

			if (!cn)
				on_accept(l->lfd);
			else if (evs[i].events & EPOLLOUT) {
				if (flush(l->ep, cn) < 0)
					conn_close(l->ep, cn);
			} else
				on_readable(l->ep, cn, l->buf);
		}
	}
	return NULL;
}

/* Make the loops (the listener in loop 0's epoll) and start loops 1.. in
 * threads that block SIGINT and SIGTERM. */
static int start_loops(int lfd, int timeout)
{
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	sigset_t set, old;

	for (unsigned i = 0; i < n_loops; i++) {
		loops[i].ep = epoll_create1(EPOLL_CLOEXEC);
		loops[i].buf = malloc(BUF_SIZE);
		loops[i].lfd = lfd;
		loops[i].timeout = timeout == 0 ? 0 : i == 0 ? -1 : 200;
		if (loops[i].ep < 0 || !loops[i].buf)
			return -1;
	}
	if (epoll_ctl(loops[0].ep, EPOLL_CTL_ADD, lfd, &lev) < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (unsigned i = 1; i < n_loops; i++)
		if (pthread_create(&loops[i].tid, NULL, run_loop, &loops[i]))
			return -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct in_addr addr = { .s_addr = htonl(INADDR_LOOPBACK) };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long port = 0, w;
	int c, lfd, timeout = -1;
	char *end;

	while ((c = getopt(argc, argv, "p:a:sw:h")) != -1) {
		switch (c) {
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*end || port > 65535) {
				fprintf(stderr, "rpc_floor: bad port %s\n", optarg);
				return 2;
			}
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr) != 1) {
				fprintf(stderr, "rpc_floor: -a takes an IPv4 address\n");
				return 2;
			}
			break;
		case 's':
			timeout = 0;
			break;
		case 'w':
			w = strtoul(optarg, &end, 10);
			if (*end || w < 1 || w > MAX_WORKERS) {
				fprintf(stderr, "rpc_floor: -w takes 1 to %d\n", MAX_WORKERS);
				return 2;
			}
			n_loops = (unsigned)w;
			break;
		case 'h':
			printf("usage: rpc_floor [-p PORT] [-a IPV4ADDR] [-s] [-w WORKERS]\n");
			return 0;
		default:
			fprintf(stderr, "usage: rpc_floor [-p PORT] [-a IPV4ADDR] [-s] [-w WORKERS]\n");
			return 2;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lfd = listen_on(addr, (unsigned short)port);
	if (lfd < 0 || start_loops(lfd, timeout) < 0)
		return 1;
	run_loop(&loops[0]);
	for (unsigned i = 1; i < n_loops; i++) {
		pthread_join(loops[i].tid, NULL);
		loops[0].records += loops[i].records;
	}
	fprintf(stderr, "rpc_floor: records=%llu conns=%llu\n",
		(unsigned long long)loops[0].records, (unsigned long long)n_conns);
	return 0;
}
