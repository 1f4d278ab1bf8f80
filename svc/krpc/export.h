/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exports (--export PATH[,ro]), the NFS file handles that name objects in
 * them, and the caller identities operations run as.
 *
 * An NFS v3 file handle (RFC 1813 §2.3.3: at most 64 bytes) made by krpc:
 *
 *   byte 0        format version (KRPC_FH_VERSION)
 *   byte 1        export id (index in the export table + 1)
 *   byte 2        store handle length n (<= KRPC_SFH_MAX)
 *   byte 3        0
 *   bytes 4..4+n  the store's handle (store.h: the kernel's file handle),
 *                 then zero bytes up to a multiple of 4 (so is the handle)
 *   then 16       MAC: keyed SipHash-2-4-128 (libsodium) over the bytes
 *                 before it, with the key of the state directory
 *
 * So a client cannot forge a handle or change one into another (the MAC
 * fails: NFS3ERR_BADHANDLE), handles survive a restart (the key is kept in
 * --state-dir), and a handle names an object of the export it was made for.
 */
#ifndef KRPC_EXPORT_H
#define KRPC_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <ksf/rpc.h>
#include "store.h"

#define KRPC_FH_MAX		64u	/* NFS3_FHSIZE */
#define KRPC_FH_VERSION		1u
#define KRPC_FH_MAC_LEN		16u
#define KRPC_MAX_EXPORTS	32
#define KRPC_STATE_DIR		"/var/lib/krpc"	/* --state-dir default */
#define KRPC_NOBODY		65534u	/* anonymous uid and gid */

struct krpc_export {
	uint8_t id;			/* 1..KRPC_MAX_EXPORTS, in handles */
	const char *path;		/* absolute, as given (no trailing '/') */
	bool ro;
	const struct krpc_store_ops *ops;
	struct krpc_store *store;
	struct krpc_sfh root;		/* the root's store handle */
};

struct krpc_exports {
	struct krpc_export e[KRPC_MAX_EXPORTS];
	int n;
	bool no_root_squash;		/* --no-root-squash */
	uint32_t anon_uid, anon_gid;	/* root squash and AUTH_NONE map here */
	uint8_t key[16];		/* MAC key, from the state directory */
	uint8_t write_verf[8];		/* WRITE/COMMIT verifier: new at every start */
};

/* Parse "PATH[,ro]" and add it (not opened yet). Returns 0 or -EINVAL
 * (relative path, unknown option), -ENOSPC (too many exports). */
int krpc_export_add(struct krpc_exports *ex, const char *spec);

/* Load the MAC key from state_dir/fh.key, creating the directory (0700)
 * and the key (0600, random) the first time; set a fresh write verifier;
 * open every export's store and get its root handle. Prints nothing;
 * returns 0 or -errno (what failed is in *what: "state directory",
 * "handle key", or the export's path). */
int krpc_exports_open(struct krpc_exports *ex, const char *state_dir, const char **what);
void krpc_exports_close(struct krpc_exports *ex);

/* Wrap store handle sfh of export e into an NFS handle out[0..64).
 * Returns its length (> 0) or -EOVERFLOW (store handle too long). */
int krpc_fh_wrap(const struct krpc_exports *ex, const struct krpc_export *e,
		 const struct krpc_sfh *sfh, uint8_t out[KRPC_FH_MAX]);

/* Check and unwrap an NFS handle fh[0..len) from the wire. Returns 0 with
 * *e and *sfh set, -KRPC_EBADHANDLE (wrong size or version, MAC mismatch:
 * forged or damaged) or -ESTALE (no such export any more). */
int krpc_fh_unwrap(const struct krpc_exports *ex, const uint8_t *fh, uint32_t len,
		   const struct krpc_export **e, struct krpc_sfh *sfh);

/* The identity a call runs as: AUTH_SYS uid/gid/gids, with uid 0 (and gid
 * 0) mapped to anon_uid/anon_gid unless no_root_squash; AUTH_NONE (and
 * any other flavor) as anon. */
void krpc_cred_of_call(const struct krpc_exports *ex, const struct ksf_rpc_call *call,
		       struct krpc_cred *cr);

/* The export whose path is dir or contains it ("/srv/a/b" is under
 * export "/srv/a"); *rel is set to what follows ("b", or "" for the export
 * itself). NULL if none. For MOUNT MNT. */
const struct krpc_export *krpc_export_find(const struct krpc_exports *ex, const char *dir,
					   const char **rel);

#endif
