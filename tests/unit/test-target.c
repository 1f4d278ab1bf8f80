// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of tools/common/target.c: the target grammar ([user@]host[:port],
 * [v6]:port, bare v6), strict ports, numeric resolution (no DNS is asked:
 * only numeric addresses and /etc/hosts' localhost), address formatting,
 * and on loopback the threads' connections of target_connect_thread()
 * and target_set_blocking().
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "target.h"
#include "check.h"

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (strcmp(a_, b_)) { check_failures++; fprintf(stderr, \
	"%s:%d: CHECK_STR failed: %s == %s: '%s' != '%s'\n", __FILE__, __LINE__, \
	#a, #b, a_, b_); } } while (0)

struct ok_case {
	const char *spec, *user, *host;
	unsigned port;
	int port_given;
};

static const struct ok_case ok_cases[] = {
	{ "127.0.0.1",		"",	"127.0.0.1",	60007, 0 },
	{ "127.0.0.1:80",	"",	"127.0.0.1",	80,    1 },
	{ "host",		"",	"host",		60007, 0 },
	{ "host:65535",		"",	"host",		65535, 1 },
	{ "bob@host:1",		"bob",	"host",		1,     1 },
	{ "a@b@host",		"a@b",	"host",		60007, 0 },
	{ "::1",		"",	"::1",		60007, 0 },
	{ "fe80::1%lo",		"",	"fe80::1%lo",	60007, 0 },
	{ "::ffff:1.2.3.4",	"",	"::ffff:1.2.3.4", 60007, 0 },
	{ "[::1]",		"",	"::1",		60007, 0 },
	{ "[::1]:9",		"",	"::1",		9,     1 },
	{ "me@[2001:db8::2]:443", "me",	"2001:db8::2",	443,   1 },
};

static const char *const bad_cases[] = {
	"", "@host", "user@", ":80", "host:", "host:0", "host:65536", "host:8x",
	"host:-1", "[::1", "[::1]x", "[::1]:", "[]:80", "[::1]]", "x]:80",
	"host:80:90",		/* not IPv6: must not be taken as a bare address */
	"user@:80",
};

static void test_parse_ok(void)
{
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];
		struct target t;
		char err[256] = "";
		int rc = target_parse(&t, c->spec, 60007, err, sizeof(err));

		CHECK_EQ(rc, 0);
		if (rc) {
			fprintf(stderr, "  spec '%s': %s\n", c->spec, err);
			continue;
		}
		CHECK_STR(t.user, c->user);
		CHECK_STR(t.host, c->host);
		CHECK_EQ(t.port, c->port);
		CHECK_EQ(t.port_given, c->port_given);
	}
}

static void test_parse_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct target t;
		char err[256] = "";
		int rc = target_parse(&t, bad_cases[i], 60007, err, sizeof(err));

		if (rc != -EINVAL || !err[0]) {
			check_failures++;
			fprintf(stderr, "FAIL spec '%s': rc %d (want %d), message '%s'\n",
				bad_cases[i], rc, -EINVAL, err);
		}
	}
	{
		char longhost[400];
		struct target t;

		memset(longhost, 'a', sizeof(longhost) - 1);
		longhost[sizeof(longhost) - 1] = '\0';
		CHECK_EQ(target_parse(&t, longhost, 1, NULL, 0), -EINVAL);
		CHECK_EQ(target_parse(&t, NULL, 1, NULL, 0), -EINVAL);
	}
}

static void test_port(void)
{
	uint16_t p = 7;

	CHECK_EQ(target_parse_port("1", &p), 0);
	CHECK_EQ(p, 1);
	CHECK_EQ(target_parse_port("65535", &p), 0);
	CHECK_EQ(p, 65535);
	CHECK_EQ(target_parse_port("0", &p), -EINVAL);
	CHECK_EQ(target_parse_port("65536", &p), -EINVAL);
	CHECK_EQ(target_parse_port("99999999999999999999", &p), -EINVAL);
	CHECK_EQ(target_parse_port(" 1", &p), -EINVAL);
	CHECK_EQ(target_parse_port("+1", &p), -EINVAL);
	CHECK_EQ(target_parse_port("", &p), -EINVAL);
	CHECK_EQ(p, 65535);	/* unchanged by failures */
}

static void test_resolve(void)
{
	struct target t;
	char err[256] = "", buf[TARGET_ADDRSTR_MAX];
	int rc;

	rc = target_lookup(&t, "127.0.0.1:4242", 1, SOCK_STREAM, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(t.addr.ss_family, AF_INET);
	CHECK_EQ(t.naddrs, 1);
	CHECK_STR(target_addr_str((struct sockaddr *)&t.addr, buf, sizeof(buf)),
		  "127.0.0.1:4242");

	rc = target_lookup(&t, "::1", 60007, SOCK_STREAM, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(t.addr.ss_family, AF_INET6);
	CHECK_STR(target_addr_str((struct sockaddr *)&t.addr, buf, sizeof(buf)),
		  "[::1]:60007");

	rc = target_lookup(&t, "u@[::1]:7", 60007, SOCK_DGRAM, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(ntohs(((struct sockaddr_in6 *)&t.addr)->sin6_port), 7);

	rc = target_lookup(&t, "localhost:5", 1, SOCK_STREAM, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK(t.naddrs >= 1 && t.naddrs <= TARGET_ADDRS_MAX);

	/* An impossible socket type fails in getaddrinfo without any DNS. */
	err[0] = '\0';
	rc = target_lookup(&t, "127.0.0.1", 1, 12345, err, sizeof(err));
	CHECK_EQ(rc, -EINVAL);
	CHECK(strstr(err, "cannot resolve '127.0.0.1'") != NULL);
}

/* A loopback TCP socket bound to a free port (listening when asked); its
 * address in *a. The descriptor, or -1. */
static int loopback(struct sockaddr_in *a, int listening)
{
	socklen_t alen = sizeof(*a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) ||
	    (listening && listen(fd, 8)) || getsockname(fd, (struct sockaddr *)a, &alen)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Thread 0 passes over a refusing address to a listening one; thread 1
 * goes straight there; once nothing listens, the message says why. */
static void test_connect_thread(void)
{
	struct sockaddr_in closed, open_;
	struct target t;
	char err[300], want[64];
	int cfd = loopback(&closed, 0), lfd = loopback(&open_, 1), fd;

	if (cfd < 0 || lfd < 0) {
		fprintf(stderr, "SKIP target_connect_thread: no loopback sockets\n");
		goto out;
	}
	memset(&t, 0, sizeof(t));
	err[0] = '\0';
	CHECK_EQ(target_connect_thread(&t, 0, SOCK_STREAM, 1000000000ULL, err, sizeof(err)),
		 -EINVAL);
	CHECK(strstr(err, "no address") != NULL);
	memcpy(&t.addrs[0], &closed, sizeof(closed));
	memcpy(&t.addrs[1], &open_, sizeof(open_));
	t.addrlens[0] = t.addrlens[1] = sizeof(closed);
	t.naddrs = 2;
	fd = target_connect_thread(&t, 0, SOCK_STREAM, 1000000000ULL, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK_EQ(t.used, 1);
	CHECK(memcmp(&t.addr, &open_, sizeof(open_)) == 0);
	if (fd >= 0)
		close(fd);
	fd = target_connect_thread(&t, 1, SOCK_STREAM, 1000000000ULL, err, sizeof(err));
	CHECK(fd >= 0);
	if (fd >= 0) {	/* blocking, but a recv() from the silent peer times out */
		char byte;

		CHECK_EQ(target_set_blocking(fd, 20000000), 0);
		CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		CHECK_EQ(recv(fd, &byte, 1, 0), -1);
		CHECK(errno == EAGAIN || errno == EWOULDBLOCK);
		close(fd);
	}
	CHECK_EQ(target_set_blocking(-1, 0), -EBADF);
	close(lfd);
	lfd = -1;
	snprintf(want, sizeof(want), "connect to 127.0.0.1:%u (thread 3): ",
		 (unsigned)ntohs(open_.sin_port));
	CHECK_EQ(target_connect_thread(&t, 3, SOCK_STREAM, 1000000000ULL, err, sizeof(err)),
		 -ECONNREFUSED);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK_EQ(target_connect_thread(&t, 0, SOCK_STREAM, 1000000000ULL, err, 20),
		 -ECONNREFUSED);
	CHECK_EQ(strlen(err), 19);		/* cut to fit */
	CHECK_EQ(target_connect_thread(&t, 0, SOCK_STREAM, 1000000000ULL, err, sizeof(err)),
		 -ECONNREFUSED);
	CHECK(strstr(err, "(thread 0): Connection refused; connect to ") != NULL);
out:
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0)
		close(lfd);
}

int main(void)
{
	test_parse_ok();
	test_parse_bad();
	test_port();
	test_resolve();
	test_connect_thread();
	return CHECK_DONE();
}
