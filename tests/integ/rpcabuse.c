// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpcabuse: a hostile ONC RPC client for the krpc integration tests. It
 * builds every message from raw bytes (its own few lines of XDR, not
 * libksf's encoder, so that a shared misreading of RFC 5531 cannot hide),
 * sends it over TCP (record marked, §11) or UDP, and prints what the server
 * did, one line per case, for the calling script to compare:
 *
 *   CASE: accepted SUCCESS | accepted PROG_MISMATCH 3 3 | accepted ...
 *   CASE: denied RPC_MISMATCH 2 2 | denied AUTH_ERROR AUTH_BADCRED | ...
 *   CASE: noreply, then NULL: accepted SUCCESS    (nothing within -w ms)
 *   CASE: closed                                  (EOF or reset)
 *   CASE: bad reply ...                           (malformed or wrong xid)
 *
 *   rpcabuse [-u] [-w MS] [-n N] [-s SEED] [-i MS] [-h SECS] HOST PORT CASE...
 *
 * Message cases (TCP, or UDP with -u), each on a new socket: null,
 * null-sys (AUTH_SYS, 16 gids), null-args (8 bytes of arguments to NULL),
 * null-big (-n bytes of them, default 4000), rpcvers3, prog (200999), vers
 * (4), vers2, proc (22), proc1000, gids17, cred401 (AUTH_SYS body of 401
 * bytes), none401, verf401, authdh, authshort, gss, flavor99, getport and
 * getport-short (portmapper GETPORT of NFS v3 TCP with its four argument
 * words, or one), reply, msgtype2, trunc (a NULL call cut at every 4-byte
 * boundary of its header). After a "noreply" outcome a NULL call on the
 * same socket must still be answered.
 *
 * Stream cases (TCP): bigmark (record mark 2^31-1), bigmark-last
 * (0xffffffff), zerofrags (-n zero-length non-last fragments, default
 * 100000), halfclose (half a call, then shutdown(SHUT_WR)), slow (one byte
 * of a NULL call every -i ms, default 1000, at most -n bytes of it, then
 * silence for up to -h seconds; prints when the server closed), noread
 * (NULL calls sent, replies never read, up to -n bytes, default 256 MiB,
 * until the socket takes nothing for 2 s; prints "noread: sent N bytes
 * (stalled|complete)", then holds the connection -h seconds), many (-n
 * connections at once, default 1000, a NULL call on each, every reply
 * checked, twice), garbage (-n sockets, default 200, of -s seeded random
 * input: raw bytes, a random record, or a valid header prefix with a random
 * tail; all sent first, then replies awaited -w ms: every reply must be
 * well formed and carry the xid sent on its socket).
 *
 * Exit 0 when every case ran (whatever the server answered, except that
 * many and garbage fail on a wrong reply), 1 on connection errors or a
 * failed check, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NFS_PROG	100003u
#define NFS_V3		3u
#define MSG_MAX		(64 * 1024)

static const char *host, *port;
static int use_udp, wait_ms = 1000, interval_ms = 1000, hold_s = 60;
static long nopt = -1;
static unsigned seed = 1;
static uint32_t next_xid;	/* distinct per process: see main() */

/* ---- raw XDR: big-endian 32-bit words, zero padding (RFC 4506 §3) ---- */

struct msg {
	uint8_t b[MSG_MAX];
	size_t n;
};

static void put32(struct msg *m, uint32_t v)
{
	if (m->n + 4 > MSG_MAX)
		abort();
	m->b[m->n++] = v >> 24;
	m->b[m->n++] = v >> 16;
	m->b[m->n++] = v >> 8;
	m->b[m->n++] = v;
}

static void put_opaque(struct msg *m, uint32_t flavor, const void *body, uint32_t len)
{
	put32(m, flavor);
	put32(m, len);
	if (m->n + len + 3 > MSG_MAX)
		abort();
	memcpy(m->b + m->n, body, len);
	m->n += len;
	while (m->n % 4)
		m->b[m->n++] = 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An AUTH_SYS body (RFC 5531 Appendix A) with ngids gids. */
static uint32_t authsys_body(uint8_t *out, uint32_t ngids)
{
	struct msg m = { .n = 0 };

	put32(&m, 12345);			/* stamp */
	put32(&m, 9);				/* machinename<255> */
	memcpy(m.b + m.n, "rpcabuse\0\0\0", 12);
	m.n += 12;
	put32(&m, 1000);			/* uid */
	put32(&m, 1000);			/* gid */
	put32(&m, ngids);
	for (uint32_t i = 0; i < ngids; i++)
		put32(&m, 2000 + i);
	memcpy(out, m.b, m.n);
	return (uint32_t)m.n;
}

/* The call header fields a case can break. */
struct call {
	uint32_t mtype, rpcvers, prog, vers, proc;
	uint32_t cflavor, clen, vflavor, vlen;
	const uint8_t *cbody;
	uint32_t nargs;		/* words of filler arguments */
	uint32_t argw[4];	/* then these argument words */
	uint32_t nargw;
};

static struct call null_call(void)
{
	return (struct call){ .mtype = 0, .rpcvers = 2, .prog = NFS_PROG, .vers = NFS_V3 };
}

static uint32_t build(struct msg *m, const struct call *c)
{
	static const uint8_t zeros[1024];
	uint32_t xid = next_xid++;

	m->n = 0;
	put32(m, xid);
	put32(m, c->mtype);
	put32(m, c->rpcvers);
	put32(m, c->prog);
	put32(m, c->vers);
	put32(m, c->proc);
	put_opaque(m, c->cflavor, c->cbody ? c->cbody : zeros, c->clen);
	put_opaque(m, c->vflavor, zeros, c->vlen);
	for (uint32_t i = 0; i < c->nargs; i++)
		put32(m, 0xdeadbeef);
	for (uint32_t i = 0; i < c->nargw; i++)
		put32(m, c->argw[i]);
	return xid;
}

/* ---- transport ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "rpcabuse: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static int connect_to(int type, int nonblock)
{
	struct addrinfo hints = { .ai_socktype = type, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, r;

	if ((r = getaddrinfo(host, port, &hints, &ai)) != 0)
		die("%s: %s", host, gai_strerror(r));
	fd = socket(ai->ai_family, type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		freeaddrinfo(ai);
		close(fd);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int open_conn(void)
{
	int fd = connect_to(use_udp ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (fd < 0)
		die("connect %s:%s: %s", host, port, strerror(errno));
	return fd;
}

static int send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Send one message: a datagram, or a record of one last fragment. */
static int send_msg(int fd, const struct msg *m)
{
	uint8_t rec[MSG_MAX + 4];

	if (use_udp)
		return send(fd, m->b, m->n, 0) == (ssize_t)m->n ? 0 : -1;
	rec[0] = 0x80 | (uint8_t)(m->n >> 24);
	rec[1] = (uint8_t)(m->n >> 16);
	rec[2] = (uint8_t)(m->n >> 8);
	rec[3] = (uint8_t)m->n;
	memcpy(rec + 4, m->b, m->n);
	return send_all(fd, rec, m->n + 4);
}

/* Read exactly n bytes within the deadline: 1 ok, 0 timeout, -1 closed. */
static int read_full(int fd, uint8_t *p, size_t n, double deadline)
{
	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int ms = (int)((deadline - now()) * 1000);

		if (ms < 0)
			return 0;
		if (poll(&pf, 1, ms) == 0)
			return 0;
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* Receive one reply (all fragments of a record, or a datagram) within ms.
 * Returns its length, 0 on timeout, -1 when the server closed (UDP: the
 * port is unreachable), -2 when a record is longer than cap or its
 * fragment is cut short. */
static ssize_t recv_reply(int fd, uint8_t *buf, size_t cap, int ms)
{
	double deadline = now() + ms / 1000.0;
	size_t len = 0;
	uint8_t hdr[4];

	if (use_udp) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };

		if (poll(&pf, 1, ms) <= 0)
			return 0;
		ssize_t r = recv(fd, buf, cap, 0);
		return r < 0 ? (errno == ECONNREFUSED ? -1 : 0) : r;
	}
	for (;;) {
		int r = read_full(fd, hdr, 4, deadline);
		uint32_t mark, flen;

		if (r <= 0)
			return r;
		mark = get32(hdr);
		flen = mark & 0x7fffffffu;
		if (flen > cap - len)
			return -2;
		if ((r = read_full(fd, buf + len, flen, deadline + 5)) <= 0)
			return r < 0 ? -1 : -2;
		len += flen;
		if (mark >> 31)
			return (ssize_t)len;
	}
}

static const char *accept_name(uint32_t s)
{
	static const char *n[] = { "SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH",
				   "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR" };
	return s < 6 ? n[s] : "UNKNOWN_ACCEPT_STAT";
}

static const char *auth_name(uint32_t s)
{
	static const char *n[] = { "AUTH_OK", "AUTH_BADCRED", "AUTH_REJECTEDCRED",
				   "AUTH_BADVERF", "AUTH_REJECTEDVERF", "AUTH_TOOWEAK",
				   "AUTH_INVALIDRESP", "AUTH_FAILED" };
	return s < 8 ? n[s] : "UNKNOWN_AUTH_STAT";
}

/* Decode a reply (RFC 5531 §9) into words in out. Returns 0 when it is well
 * formed and carries xid (0: any xid), else -1 with
 * the reason in out. */
static int describe(const uint8_t *r, size_t n, uint32_t xid, char *out, size_t cap,
		    uint32_t *got_xid)
{
	uint32_t stat, vlen, v;

	if (n < 12 || n % 4)
		return snprintf(out, cap, "bad reply (%zu bytes)", n), -1;
	if (got_xid)
		*got_xid = get32(r);
	if (xid && get32(r) != xid)
		return snprintf(out, cap, "bad reply (xid %08x, sent %08x)", get32(r), xid), -1;
	if (get32(r + 4) != 1)
		return snprintf(out, cap, "bad reply (msg_type %u)", get32(r + 4)), -1;
	stat = get32(r + 8);
	if (stat == 1) {	/* MSG_DENIED */
		if (n < 16)
			return snprintf(out, cap, "bad reply (short denial)"), -1;
		v = get32(r + 12);
		if (v == 0 && n == 24)
			return snprintf(out, cap, "denied RPC_MISMATCH %u %u", get32(r + 16),
					get32(r + 20)), 0;
		if (v == 1 && n == 20)
			return snprintf(out, cap, "denied AUTH_ERROR %s", auth_name(get32(r + 16))), 0;
		return snprintf(out, cap, "bad reply (denied, reject_stat %u, %zu bytes)", v, n), -1;
	}
	if (stat != 0)
		return snprintf(out, cap, "bad reply (reply_stat %u)", stat), -1;
	if (n < 24)
		return snprintf(out, cap, "bad reply (short acceptance)"), -1;
	vlen = get32(r + 16);
	if (vlen > 400 || n < 24 + ((vlen + 3) & ~3u))
		return snprintf(out, cap, "bad reply (verifier length %u)", vlen), -1;
	size_t o = 20 + ((vlen + 3) & ~3u);
	v = get32(r + o);
	if (v == 2 && n == o + 12)
		return snprintf(out, cap, "accepted PROG_MISMATCH %u %u", get32(r + o + 4),
				get32(r + o + 8)), 0;
	if (v != 2 && v != 0 && n != o + 4)
		return snprintf(out, cap, "bad reply (%s with %zu extra bytes)", accept_name(v),
				n - o - 4), -1;
	return snprintf(out, cap, "accepted %s%s", accept_name(v),
			v == 0 && n > o + 4 ? " (with results)" : ""), 0;
}

/* Send a NULL call on fd and describe the outcome into out. */
static void null_after(int fd, char *out, size_t cap)
{
	struct call c = null_call();
	struct msg m;
	uint8_t r[MSG_MAX];
	uint32_t xid = build(&m, &c);
	ssize_t n;

	if (send_msg(fd, &m) < 0) {
		snprintf(out, cap, "closed (send: %s)", strerror(errno));
		return;
	}
	n = recv_reply(fd, r, sizeof(r), wait_ms < 2000 ? 2000 : wait_ms);
	if (n == 0)
		snprintf(out, cap, "noreply");
	else if (n < 0)
		snprintf(out, cap, "closed");
	else
		describe(r, (size_t)n, xid, out, cap, NULL);
}

/* Send m on a new socket and print "name: outcome". */
static void run_msg(const char *name, struct msg *m, uint32_t xid)
{
	char out[160], after[160];
	uint8_t r[MSG_MAX];
	int fd = open_conn();
	ssize_t n;

	if (send_msg(fd, m) < 0) {
		printf("%s: closed (send: %s)\n", name, strerror(errno));
		close(fd);
		return;
	}
	n = recv_reply(fd, r, sizeof(r), wait_ms);
	if (n > 0) {
		describe(r, (size_t)n, xid, out, sizeof(out), NULL);
		printf("%s: %s\n", name, out);
	} else if (n == 0) {
		null_after(fd, after, sizeof(after));
		printf("%s: noreply, then NULL: %s\n", name, after);
	} else if (n == -2) {
		printf("%s: bad reply (record too long, or cut short)\n", name);
	} else {
		printf("%s: closed\n", name);
	}
	fflush(stdout);
	close(fd);
}

/* ---- message cases ---- */

static int msg_case(const char *name)
{
	static uint8_t body[1024];
	struct call c = null_call();
	struct msg m;
	uint32_t xid;

	if (!strcmp(name, "null"))
		;
	else if (!strcmp(name, "null-sys")) {
		c.cflavor = 1;
		c.clen = authsys_body(body, 16);
		c.cbody = body;
	} else if (!strcmp(name, "null-args"))
		c.nargs = 2;
	else if (!strcmp(name, "null-big"))
		c.nargs = (uint32_t)((nopt > 0 ? nopt : 4000) / 4);
	else if (!strcmp(name, "rpcvers3"))
		c.rpcvers = 3;
	else if (!strcmp(name, "prog"))
		c.prog = 200999;
	else if (!strcmp(name, "vers"))
		c.vers = 4;
	else if (!strcmp(name, "vers2"))
		c.vers = 2;
	else if (!strcmp(name, "proc"))
		c.proc = 22;	/* NFSv3 has procedures 0..21 (RFC 1813) */
	else if (!strcmp(name, "proc1000"))
		c.proc = 1000;
	else if (!strcmp(name, "gids17")) {
		c.cflavor = 1;
		c.clen = authsys_body(body, 17);
		c.cbody = body;
	} else if (!strcmp(name, "cred401")) {
		c.cflavor = 1;
		c.clen = 401;
		authsys_body(body, 16);
	} else if (!strcmp(name, "none401")) {
		c.clen = 401;
	} else if (!strcmp(name, "verf401")) {
		c.vlen = 401;
	} else if (!strcmp(name, "authdh")) {
		c.cflavor = 3;
		c.clen = 32;
	} else if (!strcmp(name, "authshort")) {
		c.cflavor = 2;
		c.clen = 8;
	} else if (!strcmp(name, "gss")) {
		c.cflavor = 6;
		c.clen = 20;
	} else if (!strcmp(name, "flavor99")) {
		c.cflavor = 99;
		c.clen = 8;
	} else if (!strcmp(name, "getport")) {
		/* PMAPPROC_GETPORT(NFS, 3, TCP, 0) (RFC 1833 §3.2) */
		c = (struct call){ .rpcvers = 2, .prog = 100000, .vers = 2, .proc = 3,
				   .argw = { NFS_PROG, NFS_V3, 6, 0 }, .nargw = 4 };
	} else if (!strcmp(name, "getport-short")) {
		/* GETPORT with one word of its four: undecodable arguments */
		c = (struct call){ .rpcvers = 2, .prog = 100000, .vers = 2, .proc = 3,
				   .argw = { NFS_PROG }, .nargw = 1 };
	} else if (!strcmp(name, "reply"))
		c.mtype = 1;
	else if (!strcmp(name, "msgtype2"))
		c.mtype = 2;
	else if (!strcmp(name, "trunc")) {
		xid = build(&m, &c);
		for (size_t cut = 0; cut < m.n; cut += 4) {
			struct msg t = m;
			char nm[32];

			t.n = cut;
			snprintf(nm, sizeof(nm), "trunc%zu", cut);
			run_msg(nm, &t, xid);
		}
		return 0;
	} else
		return -1;
	xid = build(&m, &c);
	run_msg(name, &m, xid);
	return 0;
}

/* ---- stream cases ---- */

/* Wait up to ms for the server to close fd: 1 closed, 0 still open. */
static int wait_closed(int fd, int ms)
{
	uint8_t b[4096];
	double deadline = now() + ms / 1000.0;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int left = (int)((deadline - now()) * 1000);

		if (left <= 0 || poll(&pf, 1, left) == 0)
			return 0;
		ssize_t r = recv(fd, b, sizeof(b), 0);
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			return 1;
	}
}

static void case_bigmark(const char *name, uint32_t mark)
{
	uint8_t h[4] = { mark >> 24, mark >> 16, mark >> 8, mark }, junk[4096] = { 0 };
	int fd = open_conn();

	send_all(fd, h, 4);
	send_all(fd, junk, sizeof(junk));	/* the start of the "record" */
	printf("%s: %s\n", name, wait_closed(fd, wait_ms) ? "closed" : "open");
	close(fd);
}

static void case_zerofrags(void)
{
	long n = nopt > 0 ? nopt : 100000, sent = 0;
	static uint8_t z[4096];
	int fd = open_conn(), closed = 0;

	while (sent < n) {
		size_t k = (size_t)(n - sent) * 4 < sizeof(z) ? (size_t)(n - sent) * 4 : sizeof(z);
		if (send_all(fd, z, k) < 0) {
			closed = 1;
			break;
		}
		sent += (long)k / 4;
	}
	if (!closed)
		closed = wait_closed(fd, wait_ms);
	printf("zerofrags: %s after %ld empty fragments\n", closed ? "closed" : "open", sent);
	close(fd);
}

static void case_halfclose(void)
{
	struct call c = null_call();
	struct msg m;
	uint8_t rec[MSG_MAX];
	int fd = open_conn();

	build(&m, &c);
	rec[0] = 0x80;
	rec[1] = 0;
	rec[2] = 0;
	rec[3] = (uint8_t)m.n;
	memcpy(rec + 4, m.b, m.n);
	send_all(fd, rec, 4 + m.n / 2);
	shutdown(fd, SHUT_WR);
	printf("halfclose: %s\n", wait_closed(fd, wait_ms) ? "closed" : "open");
	close(fd);
}

/* One byte of a NULL call every interval_ms, at most nopt bytes (default:
 * all of it), then silence for up to hold_s: report when it was closed. */
static void case_slow(void)
{
	struct call c = null_call();
	struct msg m;
	uint8_t rec[MSG_MAX], r[MSG_MAX];
	int fd = open_conn();
	double t0 = now();
	size_t total, i;
	uint32_t xid = build(&m, &c);

	rec[0] = 0x80;
	rec[1] = 0;
	rec[2] = 0;
	rec[3] = (uint8_t)m.n;
	memcpy(rec + 4, m.b, m.n);
	total = m.n + 4;
	if (nopt > 0 && (size_t)nopt < total)
		total = (size_t)nopt;
	for (i = 0; i < total; i++) {
		if (send_all(fd, rec + i, 1) < 0 || wait_closed(fd, interval_ms)) {
			printf("slow: closed while trickling, after %zu bytes, %.1f s\n", i + 1,
			       now() - t0);
			close(fd);
			return;
		}
	}
	if (total == m.n + 4) {
		char out[160];
		ssize_t n = recv_reply(fd, r, sizeof(r), 5000);

		if (n > 0)
			describe(r, (size_t)n, xid, out, sizeof(out), NULL);
		printf("slow: whole call sent in %.1f s, then %s\n", now() - t0,
		       n > 0 ? out : n == 0 ? "noreply" : "closed");
	} else {
		double t1 = now();
		int closed = wait_closed(fd, hold_s * 1000);

		printf("slow: %zu bytes sent in %.1f s, then silent: %s after %.1f s\n", total,
		       t1 - t0, closed ? "closed" : "still open", now() - t1);
	}
	close(fd);
}

/* Send NULL calls without ever reading. */
static void case_noread(void)
{
	long limit = nopt > 0 ? nopt : 256L << 20, sent = 0;
	static uint8_t chunk[64 * 1024];
	size_t clen = 0;
	struct call c = null_call();
	struct msg m;
	int fd = connect_to(SOCK_STREAM, 0), stalled = 0;
	double last = now();

	if (fd < 0)
		die("connect: %s", strerror(errno));
	/* A 64 KiB chunk of complete NULL call records. */
	while (clen + 44 <= sizeof(chunk)) {
		build(&m, &c);
		chunk[clen] = 0x80;
		chunk[clen + 1] = 0;
		chunk[clen + 2] = 0;
		chunk[clen + 3] = (uint8_t)m.n;
		memcpy(chunk + clen + 4, m.b, m.n);
		clen += m.n + 4;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* Send the chunk over and over (from off), so records stay whole,
	 * until limit or until 2 s pass without the socket taking a byte. */
	for (size_t off = 0; sent < limit;) {
		ssize_t w = send(fd, chunk + off, clen - off, MSG_NOSIGNAL);

		if (w > 0) {
			sent += w;
			off = (off + (size_t)w) % clen;
			last = now();
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			die("noread: send: %s", strerror(errno));
		if (now() - last >= 2) {
			stalled = 1;
			break;
		}
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		poll(&pf, 1, 100);
	}
	printf("noread: sent %ld bytes (%s)\n", sent, stalled ? "stalled" : "complete");
	fflush(stdout);
	for (int i = 0; i < hold_s * 10; i++) {
		struct pollfd pf = { .fd = fd, .events = POLLRDHUP };
		if (poll(&pf, 1, 100) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			printf("noread: connection closed by the server\n");
			break;
		}
	}
	close(fd);
}

/* Open n connections at once, a NULL call on each, check every reply;
 * twice. Returns 0 if all replies were right. */
static int case_many(void)
{
	long n = nopt > 0 ? nopt : 1000;
	int *fds = calloc((size_t)n, sizeof(int)), bad = 0;
	uint32_t *xids = calloc((size_t)n, sizeof(uint32_t));
	struct rlimit rl;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (long i = 0; i < n; i++)
		if ((fds[i] = connect_to(SOCK_STREAM, 0)) < 0)
			die("many: connection %ld: %s", i, strerror(errno));
	for (int round = 0; round < 2; round++) {
		for (long i = 0; i < n; i++) {
			struct call c = null_call();
			struct msg m;

			xids[i] = build(&m, &c);
			if (send_msg(fds[i], &m) < 0)
				die("many: send on connection %ld: %s", i, strerror(errno));
		}
		for (long i = 0; i < n; i++) {
			uint8_t r[MSG_MAX];
			char out[160];
			ssize_t k = recv_reply(fds[i], r, sizeof(r), 30000);

			if (k <= 0) {
				printf("many: connection %ld round %d: %s\n", i, round + 1,
				       k == 0 ? "no reply in 30 s" : "closed");
				bad++;
				continue;
			}
			if (describe(r, (size_t)k, xids[i], out, sizeof(out), NULL) < 0 ||
			    strcmp(out, "accepted SUCCESS")) {
				printf("many: connection %ld: %s\n", i, out);
				bad++;
			}
		}
	}
	for (long i = 0; i < n; i++)
		close(fds[i]);
	printf("many: %ld connections, 2 rounds, %d wrong\n", n, bad);
	free(fds);
	free(xids);
	return bad ? -1 : 0;
}

static uint32_t rnd(void)
{
	seed = seed * 1103515245u + 12345u;
	return seed >> 8;
}

/* n connections (UDP: sockets) of random input, all sent first, then all
 * replies awaited against one deadline (wait_ms). Every reply must be well
 * formed and carry the xid sent on that socket (any xid for raw bytes). */
static int case_garbage(void)
{
	long n = nopt > 0 ? nopt : 200;
	int bad = 0, closed = 0, replied = 0, silent = 0;
	int *fds = calloc((size_t)n, sizeof(int));
	uint32_t *xids = calloc((size_t)n, sizeof(uint32_t));
	struct rlimit rl;
	double deadline;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (long i = 0; i < n; i++) {
		uint8_t b[1024];
		size_t len = 4 + rnd() % (sizeof(b) - 8);
		int kind = (int)(rnd() % 3);
		struct msg m;

		fds[i] = open_conn();
		for (size_t j = 0; j < len; j++)
			b[j] = (uint8_t)rnd();
		m.n = 0;
		if (kind == 0 && !use_udp) {
			/* raw bytes: the first word is a random record mark */
			xids[i] = 0;
			if (send_all(fds[i], b, len) < 0)
				fds[i] = -fds[i] - 1;	/* already closed */
			continue;
		}
		if (kind == 2) {
			/* a valid CALL header prefix, then random words */
			struct call c = null_call();
			size_t cut = 4 * (1 + rnd() % 10);

			build(&m, &c);
			if (cut > m.n)
				cut = m.n;
			memcpy(m.b + cut, b, len);
			m.n = cut + len;
		} else {
			/* a random message (for TCP framed as one record) */
			memcpy(m.b, b, len);
			m.n = len;
		}
		xids[i] = get32(m.b);
		if (send_msg(fds[i], &m) < 0)
			fds[i] = -fds[i] - 1;
	}
	deadline = now() + wait_ms / 1000.0;
	for (long i = 0; i < n; i++) {
		uint8_t r[MSG_MAX];
		int left = (int)((deadline - now()) * 1000);
		ssize_t k;

		if (fds[i] < 0) {
			closed++;
			close(-fds[i] - 1);
			continue;
		}
		k = recv_reply(fds[i], r, sizeof(r), left > 0 ? left : 0);
		if (k > 0) {
			char out[160];
			uint32_t got;

			if (describe(r, (size_t)k, 0, out, sizeof(out), &got) < 0 ||
			    (xids[i] && got != xids[i])) {
				printf("garbage %ld: %s (xid %08x, sent %08x)\n", i, out, got, xids[i]);
				bad++;
			}
			replied++;
		} else if (k == 0) {
			silent++;
		} else if (k == -2) {
			printf("garbage %ld: bad reply (record too long, or cut short)\n", i);
			bad++;
		} else {
			closed++;
		}
		close(fds[i]);
	}
	printf("garbage: %ld inputs: %d error replies, %d closed, %d silent, %d bad replies\n",
	       n, replied, closed, silent, bad);
	free(fds);
	free(xids);
	return bad ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rpcabuse [-u] [-w MS] [-n N] [-s SEED] [-i MS] [-h SECS] HOST PORT CASE...\n");
}

int main(int argc, char **argv)
{
	int c, rc = 0;

	while ((c = getopt(argc, argv, "uw:n:s:i:h:")) != -1) {
		switch (c) {
		case 'u': use_udp = 1; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'n': nopt = atol(optarg); break;
		case 's': seed = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'i': interval_ms = atoi(optarg); break;
		case 'h': hold_s = atoi(optarg); break;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind < 3) {
		usage(stderr);
		return 2;
	}
	host = argv[optind];
	port = argv[optind + 1];
	/* xids distinct across runs, so a capture of several runs does not
	 * look like retransmissions (RFC 5531 §9: the xid identifies a call) */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	next_xid = ((uint32_t)getpid() << 20) ^ (uint32_t)ts.tv_nsec ^ ((uint32_t)ts.tv_sec << 8);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = optind + 2; i < argc; i++) {
		const char *cs = argv[i];

		if (!msg_case(cs))
			continue;
		if (use_udp && strcmp(cs, "garbage")) {
			fprintf(stderr, "rpcabuse: case %s is TCP only\n", cs);
			return 2;
		}
		if (!strcmp(cs, "bigmark"))
			case_bigmark(cs, 0x7fffffffu);
		else if (!strcmp(cs, "bigmark-last"))
			case_bigmark(cs, 0xffffffffu);
		else if (!strcmp(cs, "zerofrags"))
			case_zerofrags();
		else if (!strcmp(cs, "halfclose"))
			case_halfclose();
		else if (!strcmp(cs, "slow"))
			case_slow();
		else if (!strcmp(cs, "noread"))
			case_noread();
		else if (!strcmp(cs, "many"))
			rc |= case_many() ? 1 : 0;
		else if (!strcmp(cs, "garbage"))
			rc |= case_garbage() ? 1 : 0;
		else {
			fprintf(stderr, "rpcabuse: unknown case %s\n", cs);
			return 2;
		}
	}
	return rc;
}
