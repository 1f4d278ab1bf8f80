// SPDX-License-Identifier: BSD-2-Clause
/*
 * The NFS ACL side protocol, program 100227 version 3 (Sun's NFSACL, not
 * in any RFC), answering only NULL. The Linux client probes it with a
 * NULL call when it mounts: a reply (any) is needed, and the other
 * procedures (GETACL, SETACL) get PROC_UNAVAIL, so the client keeps to the
 * mode bits. PROG_UNAVAIL would turn ACL support off just the same, but
 * the probe would be logged as a failure.
 */
#include "krpc.h"

#define NFS_ACL_V3	3u

static const struct ksf_rpc_proc nfsacl_procs[] = {
	KSF_RPC_NULL_PROC,	/* ACLPROC3_NULL */
};

static const struct ksf_rpc_vers nfsacl_vers[] = {
	{ NFS_ACL_V3, nfsacl_procs, sizeof(nfsacl_procs) / sizeof(nfsacl_procs[0]) },
};

const struct ksf_rpc_prog krpc_nfsacl_prog = {
	.prog = NFS_ACL_PROG, .name = "nfs_acl", .vers = nfsacl_vers, .nvers = 1,
};
