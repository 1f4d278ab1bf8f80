/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MOUNT version 3 (RFC 1813 Appendix I): constants, argument and result
 * types, and the mount list behind DUMP (mount3.c).
 */
#ifndef KRPC_MOUNT3_H
#define KRPC_MOUNT3_H

#include <stddef.h>
#include <stdint.h>
#include <ksf/rpc.h>

#define MNT3_PATHLEN		1024u	/* MNTPATHLEN */
#define MNT3_MAX_MOUNTS		256	/* entries the mount list keeps */

enum mountstat3 {			/* §5.1.5 */
	MNT3_OK = 0,
	MNT3ERR_PERM = 1,
	MNT3ERR_NOENT = 2,
	MNT3ERR_IO = 5,
	MNT3ERR_ACCES = 13,
	MNT3ERR_NOTDIR = 20,
	MNT3ERR_INVAL = 22,
	MNT3ERR_NAMETOOLONG = 63,
	MNT3ERR_NOTSUPP = 10004,
	MNT3ERR_SERVERFAULT = 10006,
};

struct mnt3_dirpath {
	char path[MNT3_PATHLEN + 1];	/* NUL-terminated */
};

struct mnt3_mntres {
	uint32_t status;
	uint32_t fhlen;
	uint8_t fh[64];
};

struct krpc_mounts;

/* The mount list (DUMP). Returns 0 or -ENOMEM. */
int krpc_mounts_create(struct krpc_mounts **mp);
void krpc_mounts_destroy(struct krpc_mounts *m);

/* Decode a dirpath argument (fuzzing, tests). */
int mnt3_dirpath_decode(struct ksf_xdr *x, void *args);

/* Canonical form of the absolute path in (empty and "." components
 * dropped) into out[0..cap). Returns 0, -ENOENT (relative), -EACCES (a ".."
 * component) or -ENAMETOOLONG. */
int mnt3_path_clean(const char *in, char *out, size_t cap);

#endif
