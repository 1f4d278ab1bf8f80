/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Datagrams: a service may also listen on UDP (ksf_svc_listen_udp). Each
 * worker owns one SO_REUSEPORT UDP socket per address (seed 001: one socket
 * buffer per CPU), receives with recvmmsg in batches and sends the replies
 * of a batch with one sendmmsg (seed TODO 3).
 */
#ifndef KSF_DGRAM_H
#define KSF_DGRAM_H

#include <stddef.h>
#include <sys/socket.h>

struct ksf_svc;

/* One received datagram; valid only during the service's dgram_cb. */
struct ksf_dgram {
	const void *data;
	size_t len;
	const struct sockaddr *peer;
	socklen_t peerlen;
	int worker;		/* worker index running the callback */
	void *priv;		/* libksf's */
};

/* Queue a reply to the sender of d; call only from dgram_cb. The bytes are
 * copied; replies leave with the batch's sendmmsg. A reply that the socket
 * does not take is dropped and counted (dgram_drops): UDP gives no promise.
 * Returns 0 or -EMSGSIZE (len > 65507). */
int ksf_dgram_reply(const struct ksf_dgram *d, const void *data, size_t len);

#endif
