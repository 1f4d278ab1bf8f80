// SPDX-License-Identifier: BSD-2-Clause
/*
 * Socket helpers: address resolution, SO_REUSEPORT listeners, the reuseport
 * BPF program that steers a connection to the worker on the CPU that
 * received its packets (seed 001: connections hashed to CPUs), names of
 * addresses, and per-connection options.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "ksf_int.h"

int ksf__resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res;
	char sport[8];
	int err;

	memset(ss, 0, sizeof(*ss));
	if (!host || !*host || !strcmp(host, "*")) {	/* all: dual-stack [::] */
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	snprintf(sport, sizeof(sport), "%u", port);
	if ((err = getaddrinfo(host, sport, &hints, &res)))
		return err == EAI_SYSTEM ? -errno : -EADDRNOTAVAIL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* A UDP socket's buffers absorb the bursts of clients with many requests in
 * flight (there is no flow control): ask for 4 MiB, past net.core.rmem_max
 * when privileged (SO_RCVBUFFORCE), else as much as it allows. */
static void udp_buffers(int fd)
{
	int size = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

/* A bound SO_REUSEPORT socket: listening for SOCK_STREAM, bound only for
 * SOCK_DGRAM. Returns the descriptor or -errno. */
int ksf__listen_socket(const struct sockaddr_storage *ss, socklen_t len, int backlog, int type)
{
	int one = 1, zero = 0, fd, err;

	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr) &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		goto fail;
	if (type == SOCK_DGRAM)
		udp_buffers(fd);
	if (bind(fd, (const struct sockaddr *)ss, len) ||
	    (type == SOCK_STREAM && listen(fd, backlog)))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* A port the previous server's sockets may still hold: io_uring tears a
 * killed process's ring down after the process is gone, and its listeners
 * with it, some milliseconds later. Wait this long for the port. */
#define CLAIM_WAIT_MS	1000
#define CLAIM_STEP_MS	10

static int claim_once(struct sockaddr_storage *ss, socklen_t *len, int type)
{
	int one = 1, zero = 0, fd, err = 0;

	fd = socket(ss->ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr))
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)ss, *len) || getsockname(fd, (struct sockaddr *)ss, len))
		err = -errno;
	close(fd);
	return err;
}

/* SO_REUSEPORT lets any socket of the same user join a port, so a second
 * server would silently share it. Claim the address first with a plain bind
 * (no SO_REUSEPORT): EADDRINUSE if anyone holds it for CLAIM_WAIT_MS (the
 * wait is logged once). With port 0 the probe picks the port, written back
 * into *ss. */
int ksf__claim_port(struct ksf_pool *p, struct sockaddr_storage *ss, socklen_t *len, int type)
{
	char name[80];
	int err;

	for (int waited = 0;; waited += CLAIM_STEP_MS) {
		if ((err = claim_once(ss, len, type)) != -EADDRINUSE || waited >= CLAIM_WAIT_MS)
			return err;
		if (!waited && !ksf__sockaddr_name((struct sockaddr *)ss, *len, name, sizeof(name)))
			ksf__log(p, KSF_LOG_WARN, "%s in use: waiting up to %d ms for it "
				 "(a previous server's sockets still closing?)", name, CLAIM_WAIT_MS);
		usleep(CLAIM_STEP_MS * 1000);
	}
}

/* Classic BPF for SO_ATTACH_REUSEPORT_CBPF: A = CPU that received the
 * packet; return the index (listen order = worker order) of the worker on
 * that CPU, else CPU % nworkers. */
int ksf__attach_cpu_steer(int fd, struct ksf_pool *p)
{
	struct sock_filter code[2 * KSF_MAX_WORKERS + 3];
	int n = 0;

	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_CPU);
	for (int i = 0; i < p->nworkers; i++) {
		code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							 (uint32_t)p->w[i].cpu, 0, 1);
		code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (uint32_t)i);
	}
	code[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)p->nworkers);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = code };
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)))
		return -errno;
	return 0;
}

int ksf__sockaddr_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t n)
{
	char host[INET6_ADDRSTRLEN], serv[8];
	int err = getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			      NI_NUMERICHOST | NI_NUMERICSERV);

	if (err)
		return -EINVAL;
	if (sa->sa_family == AF_INET6)
		snprintf(buf, n, "[%s]:%s", host, serv);
	else
		snprintf(buf, n, "%s:%s", host, serv);
	return 0;
}

/* Request/response services want each reply out at once: no Nagle. */
void ksf__conn_sockopts(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
