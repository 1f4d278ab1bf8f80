/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What rpctest mounted and made on an NFS server for a workload, shared by
 * nfs_prep.c (which makes it) and nfs_clean.c (which removes it).
 */
#ifndef KSF_RPCTEST_NFS_DATA_H
#define KSF_RPCTEST_NFS_DATA_H

#include "rpctest.h"

struct rt_nfs_data {
	const struct ksf_rpc_cred_sys *cred;	/* of every call; NULL: AUTH_NONE */
	struct rt_sess sess;		/* to the NFS port */
	int sess_open;
	struct rt_fh root;		/* MNT's */
	char dir_name[48];		/* the scratch directory, in root */
	int mounted, have_dir, have_file;
	unsigned nthreads;
	uint64_t *calls;		/* per thread: calls started (CREATE names) */
	char err[RT_ERR_MAX];
};

/* One NFS call on d->sess: send the arguments encoded at x (begun with
 * rt_sess_begin), then check the reply is NFS3_OK with results that decode
 * into *r (zeroed first). 0, or -1 with d->err saying why (what first). */
int rt_nfs_rpc(struct rt_nfs_data *d, struct ksf_xdr *x, uint32_t proc, const char *what,
	       struct rt_nfs_res *r);

#endif
