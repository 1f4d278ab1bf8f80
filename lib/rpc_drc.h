/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Duplicate request cache (the kernel nfsd's nfscache.c, per worker): a
 * retransmitted non-idempotent call (same client address and port, xid,
 * program, version, procedure and arguments) gets the reply of its first
 * execution instead of running again; one that arrives while the first is
 * still running is dropped (the client retransmits again). Bounded: a
 * fixed number of entries, the oldest reused first; replies over
 * RPC_DRC_REPLY_MAX bytes are not kept. Internal to libksf.
 */
#ifndef KSF_RPC_DRC_H
#define KSF_RPC_DRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <ksf/rpc.h>

#define RPC_DRC_REPLY_MAX	4096u
#define RPC_DRC_DEFAULT		1024u

struct rpc_drc;

/* Names the entry a miss reserved, until ksf__drc_done fills it. */
struct rpc_drc_ref {
	int32_t slot;		/* -1: none */
	uint32_t gen;
};

enum rpc_drc_result { RPC_DRC_MISS, RPC_DRC_HIT, RPC_DRC_INPROG };

/* entries >= 1. Returns 0 or -ENOMEM. */
int ksf__drc_create(struct rpc_drc **dp, unsigned entries);
void ksf__drc_destroy(struct rpc_drc *d);

/* Look the call msg[0..len) (peeked as *pk) from peer up. MISS: an
 * in-progress entry is reserved in *ref. HIT: *reply and *rlen are the stored
 * reply (record-marked; valid until the next call on d). INPROG: drop. */
enum rpc_drc_result ksf__drc_lookup(struct rpc_drc *d, const struct sockaddr *peer,
				   socklen_t peerlen, const struct ksf_rpc_peek *pk,
				   const uint8_t *msg, size_t len, struct rpc_drc_ref *ref,
				   const uint8_t **reply, size_t *rlen);

/* The call of ref was answered with reply[0..len) (NULL: no reply was
 * made; the entry is freed). An entry reused since is left alone. */
void ksf__drc_done(struct rpc_drc *d, const struct rpc_drc_ref *ref, const uint8_t *reply,
		  size_t len);

#endif
