// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 (RFC 1813), program 100003. For now only procedure 0,
 * NULL (RFC 1813 §3.3.0); every other procedure number gets PROC_UNAVAIL
 * from the dispatcher. GETATTR, READ and WRITE come with the NFSv3 issue.
 */
#include "krpc.h"

static const struct ksf_rpc_proc nfs3_procs[] = {
	KSF_RPC_NULL_PROC,	/* NFSPROC3_NULL */
};

static const struct ksf_rpc_vers nfs3_vers[] = {
	{ NFS_V3, nfs3_procs, sizeof(nfs3_procs) / sizeof(nfs3_procs[0]) },
};

const struct ksf_rpc_prog krpc_nfs3_prog = {
	.prog = NFS_PROG, .name = "nfs", .vers = nfs3_vers, .nvers = 1,
};
