// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 (RFC 1813), program 100003: the procedure table, one
 * entry per procedure naming its decoder, handler and encoder (as Linux
 * nfsd's nfsd_procedures3[]). The codecs are in nfs3xdr_*.c, the handlers
 * in nfs3proc_*.c.
 *
 * Flags for the transport: every procedure that may wait on the disk is
 * BLOCKING (run on a helper thread); NULL, GETATTR, ACCESS, FSINFO and
 * PATHCONF are cheap and stay on the event loop. READ, WRITE, COMMIT,
 * REMOVE, RMDIR, RENAME, CREATE, MKDIR, SYMLINK, LINK and SETATTR are
 * TRY_INLINE too: started on the event loop as file operations of the
 * worker (nfs3proc_aio.c, nfs3proc_aio_ns.c, nfs3proc_aio_new.c, and for a
 * SETATTR of a size nfs3proc_aio_attr.c), on a helper only when they
 * cannot be. LOOKUP is TRY_INLINE as well: answered at once on the event
 * loop when its directory and name are cached (nfs3proc_create.c), else
 * on a helper. The procedures whose repetition differs from one
 * execution (SETATTR, CREATE, MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR,
 * RENAME, LINK) are NONIDEMPOTENT, answered from the duplicate request
 * cache when retransmitted.
 */
#include "nfs3proc.h"

#define BLK	KSF_RPC_PROC_BLOCKING
#define NONIDEM	KSF_RPC_PROC_NONIDEMPOTENT

#define PROC(NAME, dec, name, enc, A, R, flags) \
	[NFSPROC3_##NAME] = { #NAME, nfs3_dec_##dec, nfs3_proc_##name, nfs3_enc_##enc, \
			      sizeof(A), sizeof(R), flags }

static const struct ksf_rpc_proc nfs3_procs[NFS3_NPROCS] = {
	[NFSPROC3_NULL] = KSF_RPC_NULL_PROC,
	PROC(GETATTR, fh_args, getattr, getattr, struct nfs3_fh_args,
	     struct nfs3_getattr_res, 0),
	PROC(SETATTR, setattr, setattr, wcc, struct nfs3_setattr_args,
	     struct nfs3_wcc_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(LOOKUP, diropargs, lookup, lookup, struct nfs3_diropargs,
	     struct nfs3_lookup_res, BLK | KSF_RPC_PROC_TRY_INLINE),
	PROC(ACCESS, access, access, access, struct nfs3_access_args,
	     struct nfs3_access_res, 0),
	PROC(READLINK, fh_args, readlink, readlink, struct nfs3_fh_args,
	     struct nfs3_readlink_res, BLK),
	PROC(READ, read, read, read, struct nfs3_read_args, struct nfs3_read_res,
	     BLK | KSF_RPC_PROC_TRY_INLINE),
	PROC(WRITE, write, write, write, struct nfs3_write_args, struct nfs3_write_res,
	     BLK | KSF_RPC_PROC_TRY_INLINE),
	PROC(CREATE, create, create, newobj, struct nfs3_create_args,
	     struct nfs3_newobj_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(MKDIR, mkdir, mkdir, newobj, struct nfs3_mkdir_args,
	     struct nfs3_newobj_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(SYMLINK, symlink, symlink, newobj, struct nfs3_symlink_args,
	     struct nfs3_newobj_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(MKNOD, mknod, mknod, newobj, struct nfs3_mknod_args,
	     struct nfs3_newobj_res, BLK | NONIDEM),
	PROC(REMOVE, diropargs, remove, wcc, struct nfs3_diropargs,
	     struct nfs3_wcc_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(RMDIR, diropargs, rmdir, wcc, struct nfs3_diropargs,
	     struct nfs3_wcc_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(RENAME, rename, rename, rename, struct nfs3_rename_args,
	     struct nfs3_rename_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(LINK, link, link, link, struct nfs3_link_args,
	     struct nfs3_link_res, BLK | NONIDEM | KSF_RPC_PROC_TRY_INLINE),
	PROC(READDIR, readdir, readdir, readdir, struct nfs3_readdir_args,
	     struct nfs3_readdir_res, BLK),
	PROC(READDIRPLUS, readdirplus, readdirplus, readdir, struct nfs3_readdir_args,
	     struct nfs3_readdir_res, BLK),
	PROC(FSSTAT, fh_args, fsstat, fsstat, struct nfs3_fh_args,
	     struct nfs3_fsstat_res, BLK),
	PROC(FSINFO, fh_args, fsinfo, fsinfo, struct nfs3_fh_args,
	     struct nfs3_fsinfo_res, 0),
	PROC(PATHCONF, fh_args, pathconf, pathconf, struct nfs3_fh_args,
	     struct nfs3_pathconf_res, 0),
	PROC(COMMIT, commit, commit, commit, struct nfs3_commit_args,
	     struct nfs3_commit_res, BLK | KSF_RPC_PROC_TRY_INLINE),
};

static const struct ksf_rpc_vers nfs3_vers[] = {
	{ NFS_V3, nfs3_procs, NFS3_NPROCS },
};

const struct ksf_rpc_prog krpc_nfs3_prog = {
	.prog = NFS_PROG, .name = "nfs", .vers = nfs3_vers, .nvers = 1,
};
