/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * krpc: the ONC RPC service. Its programs (NFS version 3, the portmapper)
 * and the portmapper client it uses to register with rpcbind.
 */
#ifndef KRPC_H
#define KRPC_H

#include <stdint.h>
#include <ksf.h>

#define KRPC_PORT	62049	/* the seed's krpc2 port */
#define NFS_PROG	100003u
#define NFS_V3		3u
#define PMAP_PROG	100000u
#define PMAP_V2		2u
#define PMAP_PORT	111

/* A portmapper mapping (RFC 1833 §3: struct mapping). */
struct pmap_mapping {
	uint32_t prog, vers, prot, port;
};

#define KRPC_MAX_MAPPINGS 16

/* What the built-in portmapper answers: krpc's own programs. */
struct pmap_table {
	struct pmap_mapping map[KRPC_MAX_MAPPINGS];
	int n;
};

extern const struct ksf_rpc_prog krpc_nfs3_prog;
extern const struct ksf_rpc_prog krpc_pmap_prog;	/* ctx: struct pmap_table * */

/* Portmapper v2 client over UDP to 127.0.0.1:111 (rpcbind): SET or UNSET
 * one mapping. Returns 1 (true), 0 (false: refused) or -errno. */
int pmap_set(const struct pmap_mapping *m);
int pmap_unset(const struct pmap_mapping *m);

/* Encode/decode a mapping (XDR, RFC 1833 §3). */
int pmap_mapping_decode(struct ksf_xdr *x, void *m);
int pmap_mapping_encode(struct ksf_xdr *x, const struct pmap_mapping *m);

#endif
