// SPDX-License-Identifier: BSD-2-Clause
/*
 * Exports, NFS file handles and caller identities (export.h). Handles are
 * the store's own handle wrapped with a format byte, the export id and a
 * keyed MAC (SipHash-2-4 with a 128-bit output, libsodium's
 * crypto_shorthash_siphashx24): the key lives in the state directory, so
 * handles stay valid across restarts and cannot be forged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "export.h"

#define FH_HDR	4u

/*
 * The store handle is padded with zero bytes to a multiple of 4, so every
 * handle is a multiple of 4 bytes long, as the Linux nfsd's always are.
 * RFC 1813 allows any length up to 64, but some clients assume this:
 * nmap's NSE rpc library (nselib/rpc.lua, 7.93) sends an nfs_fh3 it got
 * from MNT or READDIRPLUS as its length word and bytes, without the XDR
 * padding (RFC 4506 §4.10), so with a 29-byte handle every call it makes
 * is garbage.
 */
static size_t sfh_padded(size_t len)
{
	return (len + 3u) & ~(size_t)3u;
}

int krpc_export_add(struct krpc_exports *ex, const char *spec)
{
	const char *comma = strchr(spec, ',');
	size_t n = comma ? (size_t)(comma - spec) : strlen(spec);
	bool ro = false;
	char *path;

	if (comma) {
		if (strcmp(comma + 1, "ro") == 0)
			ro = true;
		else if (strcmp(comma + 1, "rw") != 0)
			return -EINVAL;
	}
	if (n == 0 || spec[0] != '/')
		return -EINVAL;
	if (ex->n >= KRPC_MAX_EXPORTS)
		return -ENOSPC;
	while (n > 1 && spec[n - 1] == '/')
		n--;
	if (!(path = strndup(spec, n)))
		return -ENOMEM;
	struct krpc_export *e = &ex->e[ex->n];
	memset(e, 0, sizeof(*e));
	e->id = (uint8_t)(ex->n + 1);
	e->path = path;
	e->ro = ro;
	e->ops = &krpc_store_local;
	ex->n++;
	return 0;
}

/* Read state_dir/fh.key, or make it: 16 random bytes, written to a
 * temporary file and renamed, so a crash never leaves half a key. */
static int load_key(const char *dir, uint8_t key[16])
{
	char path[4096], tmp[4096];
	int fd, err = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/fh.key", dir);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, key, 16);
		err = n == 16 ? 0 : n < 0 ? -errno : -EBADMSG;
		close(fd);
		return err;
	}
	if (errno != ENOENT)
		return -errno;
	randombytes_buf(key, 16);
	snprintf(tmp, sizeof(tmp), "%s/fh.key.%d", dir, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -errno;
	if (write(fd, key, 16) != 16 || fsync(fd) < 0)
		err = -EIO;
	close(fd);
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int krpc_exports_open(struct krpc_exports *ex, const char *state_dir, const char **what)
{
	static const struct krpc_cred root = { 0 };
	int err;

	*what = "libsodium";
	if (sodium_init() < 0)
		return -EIO;
	randombytes_buf(ex->write_verf, sizeof(ex->write_verf));
	if (ex->n == 0)
		return 0;
	*what = "state directory";
	if ((err = load_key(state_dir, ex->key)))
		return err;
	for (int i = 0; i < ex->n; i++) {
		struct krpc_export *e = &ex->e[i];

		*what = e->path;
		if ((err = e->ops->open(&e->store, e->path, e->ro ? KRPC_STORE_RO : 0)))
			return err;
		if ((err = e->ops->root(e->store, &root, "", &e->root)))
			return err;
	}
	return 0;
}

void krpc_exports_close(struct krpc_exports *ex)
{
	for (int i = 0; i < ex->n; i++) {
		struct krpc_export *e = &ex->e[i];

		if (e->store)
			e->ops->close(e->store);
		e->store = NULL;
		free((void *)e->path);
		e->path = NULL;
	}
	ex->n = 0;
}

static void fh_mac(const struct krpc_exports *ex, const uint8_t *p, size_t n,
		   uint8_t mac[KRPC_FH_MAC_LEN])
{
	crypto_shorthash_siphashx24(mac, p, n, ex->key);
}

int krpc_fh_wrap(const struct krpc_exports *ex, const struct krpc_export *e,
		 const struct krpc_sfh *sfh, uint8_t out[KRPC_FH_MAX])
{
	size_t n = FH_HDR + sfh_padded(sfh->len);

	if (sfh->len > KRPC_SFH_MAX || n + KRPC_FH_MAC_LEN > KRPC_FH_MAX)
		return -EOVERFLOW;
	out[0] = KRPC_FH_VERSION;
	out[1] = e->id;
	out[2] = sfh->len;
	out[3] = 0;
	memset(out + FH_HDR, 0, n - FH_HDR);
	memcpy(out + FH_HDR, sfh->data, sfh->len);
	fh_mac(ex, out, n, out + n);
	return (int)(n + KRPC_FH_MAC_LEN);
}

int krpc_fh_unwrap(const struct krpc_exports *ex, const uint8_t *fh, uint32_t len,
		   const struct krpc_export **e, struct krpc_sfh *sfh)
{
	uint8_t mac[KRPC_FH_MAC_LEN];
	size_t n;

	if (len < FH_HDR + KRPC_FH_MAC_LEN || len > KRPC_FH_MAX || fh[0] != KRPC_FH_VERSION ||
	    fh[3] != 0 || fh[2] > KRPC_SFH_MAX ||
	    len != FH_HDR + sfh_padded(fh[2]) + KRPC_FH_MAC_LEN)
		return -KRPC_EBADHANDLE;
	n = FH_HDR + sfh_padded(fh[2]);
	fh_mac(ex, fh, n, mac);
	if (sodium_memcmp(mac, fh + n, KRPC_FH_MAC_LEN) != 0)
		return -KRPC_EBADHANDLE;
	if (fh[1] == 0 || fh[1] > ex->n || !ex->e[fh[1] - 1].store)
		return -ESTALE;
	*e = &ex->e[fh[1] - 1];
	sfh->len = fh[2];
	memcpy(sfh->data, fh + FH_HDR, fh[2]);
	return 0;
}

void krpc_cred_of_call(const struct krpc_exports *ex, const struct ksf_rpc_call *call,
		       struct krpc_cred *cr)
{
	memset(cr, 0, sizeof(*cr));
	if (call->cred.flavor != KSF_RPC_AUTH_SYS) {
		cr->uid = ex->anon_uid;
		cr->gid = ex->anon_gid;
		return;
	}
	cr->uid = call->sys.uid;
	cr->gid = call->sys.gid;
	cr->ngids = call->sys.ngids < KRPC_CRED_MAXGIDS ? call->sys.ngids : KRPC_CRED_MAXGIDS;
	memcpy(cr->gids, call->sys.gids, cr->ngids * sizeof(cr->gids[0]));
	if (ex->no_root_squash)
		return;
	/* root squash, as the kernel nfsd: uid 0 becomes anon, and so does
	 * gid 0 wherever it appears */
	if (cr->uid == 0)
		cr->uid = ex->anon_uid;
	if (cr->gid == 0)
		cr->gid = ex->anon_gid;
	for (uint32_t i = 0; i < cr->ngids; i++)
		if (cr->gids[i] == 0)
			cr->gids[i] = ex->anon_gid;
}

const struct krpc_export *krpc_export_find(const struct krpc_exports *ex, const char *dir,
					   const char **rel)
{
	const struct krpc_export *best = NULL;
	size_t best_len = 0;

	for (int i = 0; i < ex->n; i++) {
		const char *p = ex->e[i].path;
		size_t n = strlen(p);

		if (n == 1 && p[0] == '/')
			n = 0;	/* the export "/" contains everything */
		if (strncmp(dir, p, n) != 0 || (dir[n] != '\0' && dir[n] != '/'))
			continue;
		if (!best || n > best_len) {
			best = &ex->e[i];
			best_len = n;
		}
	}
	if (best) {
		const char *r = dir + best_len;
		while (*r == '/')
			r++;
		*rel = r;
	}
	return best;
}
