/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * krpc: the ONC RPC service. Its programs (NFS version 3, the portmapper)
 * and the portmapper client it uses to register with rpcbind.
 */
#ifndef KRPC_H
#define KRPC_H

#include <stdint.h>
#include <ksf.h>
#include "export.h"

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

#define MOUNT_PROG	100005u
#define MOUNT_V3	3u
#define NFS_ACL_PROG	100227u

/* NFS transfer sizes offered in FSINFO (--rsize/--wsize): at least 64 KiB,
 * at most 1 MiB, and never above what one RPC record may carry. */
#define KRPC_XFER_DEFAULT	(1u << 20)
#define KRPC_XFER_MIN		(64u << 10)
#define KRPC_XFER_MAX		(1u << 20)

struct krpc_mounts;	/* mount3.c: the MOUNT DUMP list */

/* What every krpc handler reaches as ((struct ksf_rpc_req *)ctx)->udata.
 * Read-only once the service runs, except through its own locks. */
struct krpc_ctx {
	struct pmap_table pmap;		/* the built-in portmapper's table */
	struct krpc_exports exports;	/* --export, handles, identity */
	uint32_t rtmax, wtmax, dtpref;	/* FSINFO: largest READ, WRITE, READDIR */
	struct krpc_mounts *mounts;	/* MOUNT's DUMP list */
};

/* The udata of a handler's request. */
static inline struct krpc_ctx *krpc_ctx_of(void *req)
{
	return ((struct ksf_rpc_req *)req)->udata;
}

extern const struct ksf_rpc_prog krpc_nfs3_prog;	/* nfs3proc.c */
extern const struct ksf_rpc_prog krpc_mount3_prog;	/* mount3.c */
extern const struct ksf_rpc_prog krpc_pmap_prog;	/* portmap.c */

/* Portmapper v2 client over UDP to 127.0.0.1:111 (rpcbind): SET or UNSET
 * one mapping. Returns 1 (true), 0 (false: refused) or -errno. */
int pmap_set(const struct pmap_mapping *m);
int pmap_unset(const struct pmap_mapping *m);

/* Encode/decode a mapping (XDR, RFC 1833 §3). */
int pmap_mapping_decode(struct ksf_xdr *x, void *m);
int pmap_mapping_encode(struct ksf_xdr *x, const struct pmap_mapping *m);

#endif
