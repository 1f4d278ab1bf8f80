// SPDX-License-Identifier: BSD-2-Clause
/*
 * Parsing and resolution of load-generator targets (see target.h). The
 * grammar is small enough to split by hand: an optional "user@" up to the
 * last '@', then "[v6]", "[v6]:port", a bare v6 address (two or more
 * colons), or "host" / "host:port".
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "cli.h"
#include "target.h"

int target_parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Copy [s, s+n) into dst[cap] as a string; -EINVAL when it does not fit. */
static int copy_part(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/* A bare IPv6 address: hex digits, ':' and '.' (for a v4 tail), then
 * optionally "%scope". */
static int looks_ipv6(const char *s)
{
	size_t n = strcspn(s, "%");

	return strspn(s, "0123456789abcdefABCDEF:.") == n;
}

/* The host part of a spec, user@ already removed: fills host and port. */
static int parse_hostport(struct target *t, const char *hp, const char *spec,
			  char *err, size_t errlen)
{
	const char *colon = strchr(hp, ':'), *port = NULL;
	size_t hlen;

	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');

		if (!close)
			return cli_err(-EINVAL, err, errlen,
				       "'%s': missing ']' after IPv6 address", spec);
		if (close[1] != '\0' && close[1] != ':')
			return cli_err(-EINVAL, err, errlen,
				       "'%s': expected ':port' after ']'", spec);
		hp++;
		hlen = (size_t)(close - hp);
		port = close[1] ? close + 2 : NULL;
	} else if (colon && strchr(colon + 1, ':')) {
		if (!looks_ipv6(hp))
			return cli_err(-EINVAL, err, errlen, "'%s': too many ':' (write an "
				       "IPv6 address with a port as [addr]:port)", spec);
		hlen = strlen(hp);	/* bare IPv6 address: no port */
	} else {
		hlen = colon ? (size_t)(colon - hp) : strlen(hp);
		port = colon ? colon + 1 : NULL;
	}
	if (hlen == 0)
		return cli_err(-EINVAL, err, errlen, "'%s': empty host name", spec);
	if (memchr(hp, ']', hlen) || memchr(hp, '[', hlen))
		return cli_err(-EINVAL, err, errlen, "'%s': stray bracket in host name", spec);
	if (copy_part(t->host, sizeof(t->host), hp, hlen))
		return cli_err(-EINVAL, err, errlen, "'%s': host name longer than %zu bytes",
			       spec, sizeof(t->host) - 1);
	if (port) {
		if (target_parse_port(port, &t->port))
			return cli_err(-EINVAL, err, errlen,
				       "'%s': port '%s' is not a number in 1..65535", spec, port);
		t->port_given = 1;
	}
	return 0;
}

int target_parse(struct target *t, const char *spec, uint16_t default_port,
		 char *err, size_t errlen)
{
	const char *at, *hp;

	memset(t, 0, sizeof(*t));
	t->port = default_port;
	if (!spec || !*spec)
		return cli_err(-EINVAL, err, errlen, "empty target");
	at = strrchr(spec, '@');
	hp = spec;
	if (at) {
		if (at == spec)
			return cli_err(-EINVAL, err, errlen,
				       "'%s': empty user name before '@'", spec);
		if (copy_part(t->user, sizeof(t->user), spec, (size_t)(at - spec)))
			return cli_err(-EINVAL, err, errlen,
				       "'%s': user name longer than %zu bytes", spec,
				       sizeof(t->user) - 1);
		hp = at + 1;
	}
	return parse_hostport(t, hp, spec, err, errlen);
}

int target_resolve(struct target *t, int socktype, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char port[8];
	int rc;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", (unsigned)t->port);
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc == EAI_SYSTEM) {
		rc = errno ? -errno : -EIO;
		cli_err(0, err, errlen, "cannot resolve '%s': %s", t->host, strerror(-rc));
		return rc;
	}
	if (rc) {
		cli_err(0, err, errlen, "cannot resolve '%s': %s", t->host, gai_strerror(rc));
		return rc == EAI_MEMORY ? -ENOMEM : -EINVAL;
	}
	t->naddrs = 0;
	for (ai = res; ai && t->naddrs < TARGET_ADDRS_MAX; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(t->addrs[0]))
			continue;
		memcpy(&t->addrs[t->naddrs], ai->ai_addr, ai->ai_addrlen);
		t->addrlens[t->naddrs++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (!t->naddrs)
		return cli_err(-EINVAL, err, errlen, "cannot resolve '%s': no usable address",
			       t->host);
	target_use(t, 0);
	return 0;
}

void target_use(struct target *t, int i)
{
	if (i < 0 || i >= t->naddrs)
		return;
	t->addr = t->addrs[i];
	t->addrlen = t->addrlens[i];
	t->used = i;
}

/* Wait for a nonblocking connect() to finish, at most timeout_ns. 0 or -errno. */
static int connect_wait(int fd, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	uint64_t end = cli_now_ns() + timeout_ns, now;
	socklen_t len = sizeof(int);
	int err = 0, n;

	do {	/* bounded by the timeout; repeats only on EINTR */
		now = cli_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

int target_connect(const struct target *t, int i, int socktype, uint64_t timeout_ns)
{
	int one = 1, fd, rc = 0;

	if (i < 0 || i >= t->naddrs)
		return -EINVAL;
	fd = socket(t->addrs[i].ss_family, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (socktype == SOCK_STREAM &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		rc = -errno;
	if (!rc && connect(fd, (const struct sockaddr *)&t->addrs[i], t->addrlens[i]))
		rc = -errno;
	if (rc == -EINPROGRESS)
		rc = connect_wait(fd, timeout_ns);
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

int target_set_blocking(int fd, uint64_t timeout_ns)
{
	struct timeval tv = { .tv_sec = (time_t)(timeout_ns / 1000000000),
			      .tv_usec = (suseconds_t)(timeout_ns % 1000000000 / 1000) };
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

int target_connect_thread(struct target *t, unsigned thread, int socktype,
			  uint64_t timeout_ns, char *err, size_t errlen)
{
	int first = thread ? t->used : 0, end = thread ? first + 1 : t->naddrs, fd = -EINVAL;
	char addr[TARGET_ADDRSTR_MAX];
	size_t len = 0;

	if (first >= end)
		return cli_err(-EINVAL, err, errlen, "no address to connect to");
	for (int k = first; k < end; k++) {
		fd = target_connect(t, k, socktype, timeout_ns);
		if (fd >= 0) {
			target_use(t, k);
			return fd;
		}
		if (!err || len + 1 >= errlen)
			continue;	/* no room for more of the message */
		target_addr_str((const struct sockaddr *)&t->addrs[k], addr, sizeof(addr));
		len += (size_t)snprintf(err + len, errlen - len, "%sconnect to %s%s (thread %u): %s",
					k > first ? "; " : "", socktype == SOCK_DGRAM ? "udp " : "",
					addr, thread, strerror(-fd));
	}
	return fd;
}

int target_connect_worker(struct target *t, unsigned thread, int socktype,
			  uint64_t timeout_ns, uint64_t block_ns, char *err, size_t errlen)
{
	int fd = target_connect_thread(t, thread, socktype, timeout_ns, err, errlen);
	int rc = fd >= 0 && block_ns ? target_set_blocking(fd, block_ns) : 0;

	if (!rc)
		return fd;
	close(fd);
	return cli_err(rc, err, errlen, "thread %u: cannot make the socket blocking: %s",
		       thread, strerror(-rc));
}

int target_lookup(struct target *t, const char *spec, uint16_t default_port,
		  int socktype, char *err, size_t errlen)
{
	int rc = target_parse(t, spec, default_port, err, errlen);

	return rc ? rc : target_resolve(t, socktype, err, errlen);
}

const char *target_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[NI_MAXHOST];
	unsigned port;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(buf, len, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		if (getnameinfo(sa, sizeof(*in6), host, sizeof(host), NULL, 0,
				NI_NUMERICHOST))
			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(buf, len, "[%s]:%u", host, port);
	} else {
		snprintf(buf, len, "(address family %d)", (int)sa->sa_family);
	}
	return buf;
}
