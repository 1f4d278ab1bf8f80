/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Targets of the load generators: "[user@]host[:port]" where host is a
 * hostname, an IPv4 address, an IPv6 address in brackets ("[::1]:60007",
 * "[fe80::1%eth0]") or a bare IPv6 address ("::1", which then has no port;
 * use brackets to give one). The port, when present, is decimal 1..65535.
 *
 * Functions return 0 or a negative errno and, on failure, write a one-line
 * message without a trailing newline into err[errlen] (may be NULL). They
 * never print.
 */
#ifndef KSF_TOOLS_TARGET_H
#define KSF_TOOLS_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TARGET_USER_MAX	64
#define TARGET_HOST_MAX	256
/* Longest text target_addr_str() writes: "[v6%scope]:65535" and a NUL. */
#define TARGET_ADDRSTR_MAX 80
/* Addresses kept from one lookup ("localhost" may give ::1 and 127.0.0.1). */
#define TARGET_ADDRS_MAX 8

struct target {
	char user[TARGET_USER_MAX];	/* "" when the spec had no "user@" */
	char host[TARGET_HOST_MAX];	/* without brackets */
	uint16_t port;			/* from the spec, else the default */
	int port_given;			/* 1 when the spec carried ":port" */
	struct sockaddr_storage addr;	/* filled by target_resolve(): the */
	socklen_t addrlen;		/* first address, 0 until resolved */
	int used;			/* addr is addrs[used] (target_use()) */
	int naddrs;			/* all of them */
	struct sockaddr_storage addrs[TARGET_ADDRS_MAX];
	socklen_t addrlens[TARGET_ADDRS_MAX];
};

/* Split spec into *t (user, host, port); default_port is used when the spec
 * has none. Does no name lookup. Returns 0 or -EINVAL (bad syntax, empty
 * host or user, port not a number in 1..65535, name too long). */
int target_parse(struct target *t, const char *spec, uint16_t default_port,
		 char *err, size_t errlen);

/* Look t->host and t->port up with getaddrinfo() for the socket type
 * (SOCK_STREAM or SOCK_DGRAM). Keeps up to TARGET_ADDRS_MAX addresses in
 * the order getaddrinfo() prefers (RFC 6724) in addrs[], and the first in
 * addr; a program that cannot connect to addr may try the others and then
 * target_use() the one that worked. Returns 0, -ENOMEM, the -errno of a
 * system error, or -EINVAL for every other lookup failure (the message
 * then carries gai_strerror()'s text). */
int target_resolve(struct target *t, int socktype, char *err, size_t errlen);

/* Make addrs[i] the address in addr/addrlen (and i the one in used). */
void target_use(struct target *t, int i);

/* Open a socket of type socktype (SOCK_STREAM or SOCK_DGRAM) to addrs[i],
 * nonblocking and close-on-exec, with TCP_NODELAY on a stream (one message
 * per send() is then one segment), and connect() it, waiting at most
 * timeout_ns for a stream to be established. A datagram socket is only
 * bound to the peer: its errors (ICMP port unreachable) show up later as
 * ECONNREFUSED from send() or recv(). Returns the descriptor, or -errno
 * (-ETIMEDOUT when the connection did not complete in time). */
int target_connect(const struct target *t, int i, int socktype, uint64_t timeout_ns);

/* Make a connected socket blocking, with send and receive timeouts of
 * timeout_ns, so that a silent peer cannot hold a call for ever: a timed
 * out recv() or send() fails with EAGAIN. 0 or -errno. */
int target_set_blocking(int fd, uint64_t timeout_ns);

/* Connect the socket of a load generator's thread with target_connect():
 * thread 0 tries each address in turn and target_use()s the first that
 * works; every other thread connects to that one, so all connections go
 * to the same address. Returns the descriptor, or the -errno of the last
 * failure with "connect to [udp ]ADDR (thread N): why" for each address
 * tried, separated by "; ", in err[errlen]. */
int target_connect_thread(struct target *t, unsigned thread, int socktype,
			  uint64_t timeout_ns, char *err, size_t errlen);

/* target_connect_thread(), then, when block_ns is not 0,
 * target_set_blocking(fd, block_ns): the socket of a load generator's
 * thread. Returns the descriptor, or -errno with a message in err[errlen]
 * ("thread N: cannot make the socket blocking: why" for the second step,
 * after which the socket is closed). */
int target_connect_worker(struct target *t, unsigned thread, int socktype,
			  uint64_t timeout_ns, uint64_t block_ns, char *err, size_t errlen);

/* target_parse() then target_resolve(). */
int target_lookup(struct target *t, const char *spec, uint16_t default_port,
		  int socktype, char *err, size_t errlen);

/* Strict port number: decimal digits only, 1..65535. 0 or -EINVAL. */
int target_parse_port(const char *s, uint16_t *port);

/* Write a socket address as "1.2.3.4:80" or "[::1]:80" into buf (at least
 * TARGET_ADDRSTR_MAX bytes for any address) and return buf. */
const char *target_addr_str(const struct sockaddr *sa, char *buf, size_t len);

#endif
