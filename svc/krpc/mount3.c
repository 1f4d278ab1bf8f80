// SPDX-License-Identifier: BSD-2-Clause
/*
 * The MOUNT protocol, program 100005 version 3 (RFC 1813 Appendix I):
 * NULL, MNT, DUMP, UMNT, UMNTALL, EXPORT. MNT gives the handle of an
 * export or of a directory under one (libnfs mounts the URL's directory);
 * anything else is MNT3ERR_NOENT. DUMP lists who mounted what, as far as
 * the (advisory, RFC 1813 §5.2.2) mount list knows: it is bounded, shared
 * by the workers under a mutex (MOUNT calls are rare), and lost at exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "krpc.h"
#include "mount3.h"

struct mount_entry {
	char host[INET6_ADDRSTRLEN];
	char dir[MNT3_PATHLEN + 1];
};

struct krpc_mounts {
	pthread_mutex_t lock;
	struct mount_entry e[MNT3_MAX_MOUNTS];
	int n;
};

int krpc_mounts_create(struct krpc_mounts **mp)
{
	struct krpc_mounts *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	*mp = m;
	return 0;
}

void krpc_mounts_destroy(struct krpc_mounts *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static void peer_host(const struct ksf_rpc_req *req, char host[INET6_ADDRSTRLEN])
{
	const struct sockaddr *sa = req->peer;

	host[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, INET6_ADDRSTRLEN);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host,
			  INET6_ADDRSTRLEN);
}

/* Remember (host, dir); a full list forgets its oldest entry. */
static void mounts_add(struct krpc_mounts *m, const char *host, const char *dir)
{
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].host, host) && !strcmp(m->e[i].dir, dir))
			goto out;
	if (m->n == MNT3_MAX_MOUNTS) {
		memmove(&m->e[0], &m->e[1], sizeof(m->e[0]) * (MNT3_MAX_MOUNTS - 1));
		m->n--;
	}
	struct mount_entry *e = &m->e[m->n];
	size_t hn = strnlen(host, sizeof(e->host) - 1), dn = strnlen(dir, sizeof(e->dir) - 1);
	memcpy(e->host, host, hn);
	e->host[hn] = '\0';
	memcpy(e->dir, dir, dn);
	e->dir[dn] = '\0';
	m->n++;
out:
	pthread_mutex_unlock(&m->lock);
}

/* Forget host's mount of dir, or (dir NULL) all of host's mounts. */
static void mounts_del(struct krpc_mounts *m, const char *host, const char *dir)
{
	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < m->n;) {
		if (!strcmp(m->e[i].host, host) && (!dir || !strcmp(m->e[i].dir, dir))) {
			memmove(&m->e[i], &m->e[i + 1], sizeof(m->e[0]) * (size_t)(m->n - i - 1));
			m->n--;
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

/* dirpath (RFC 1813 §5.1.1: string<MNTPATHLEN>) as a C string. A NUL
 * inside it cannot name a directory: refused. */
static int dirpath_decode(struct ksf_xdr *x, void *args)
{
	struct mnt3_dirpath *d = args;
	const char *s;
	uint32_t n;

	if (ksf_xdr_get_string(x, MNT3_PATHLEN, &s, &n))
		return x->err;
	if (memchr(s, '\0', n))
		return -EBADMSG;
	memcpy(d->path, s, n);
	d->path[n] = '\0';
	return 0;
}

/* Canonical form of an absolute path: no empty, "." components; ".."
 * refused (-EACCES: MNT never climbs). Returns 0 or -errno. */
int mnt3_path_clean(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	if (in[0] != '/')
		return -ENOENT;
	for (const char *p = in; *p;) {
		while (*p == '/')
			p++;
		const char *q = strchrnul(p, '/');
		size_t n = (size_t)(q - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p = q;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EACCES;
		if (o + 1 + n + 1 > cap)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, p, n);
		o += n;
		p = q;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

static uint32_t mnt3_status(int err)
{
	switch (err) {
	case 0: return MNT3_OK;
	case -EPERM: return MNT3ERR_PERM;
	case -ENOENT: case -ESTALE: return MNT3ERR_NOENT;
	case -EACCES: return MNT3ERR_ACCES;
	case -ENOTDIR: return MNT3ERR_NOTDIR;
	case -EINVAL: return MNT3ERR_INVAL;
	case -ENAMETOOLONG: return MNT3ERR_NAMETOOLONG;
	case -EIO: return MNT3ERR_IO;
	default: return MNT3ERR_SERVERFAULT;
	}
}

/* MOUNTPROC3_MNT (§5.2.1). */
static int mnt(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	struct krpc_ctx *kc = krpc_ctx_of(ctx);
	struct mnt3_dirpath *d = args;
	struct mnt3_mntres *r = res;
	char clean[MNT3_PATHLEN + 2], host[INET6_ADDRSTRLEN];
	const struct krpc_export *e;
	const char *rel;
	struct krpc_cred cr;
	struct krpc_sfh sfh;
	int err, n;

	if ((err = mnt3_path_clean(d->path, clean, sizeof(clean))))
		goto out;
	err = -ENOENT;
	if (!(e = krpc_export_find(&kc->exports, clean, &rel)))
		goto out;
	krpc_cred_of_call(&kc->exports, call, &cr);
	if ((err = e->ops->root(e->store, &cr, rel, &sfh)))
		goto out;
	if ((n = krpc_fh_wrap(&kc->exports, e, &sfh, r->fh)) < 0) {
		err = n;
		goto out;
	}
	r->fhlen = (uint32_t)n;
	peer_host(ctx, host);
	if (kc->mounts)
		mounts_add(kc->mounts, host, clean);
out:
	r->status = mnt3_status(err);
	return 0;
}

static int mntres_encode(struct ksf_xdr *x, const void *res)
{
	const struct mnt3_mntres *r = res;

	ksf_xdr_put_u32(x, r->status);
	if (r->status != MNT3_OK)
		return x->err;
	ksf_xdr_put_opaque(x, r->fh, r->fhlen);
	ksf_xdr_put_u32(x, 1);			/* auth_flavors<>: one */
	return ksf_xdr_put_u32(x, KSF_RPC_AUTH_SYS);
}

/* MOUNTPROC3_DUMP (§5.2.2): the result is encoded from the list itself. */
static int dump(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	(void)call;
	(void)args;
	*(struct krpc_mounts **)res = krpc_ctx_of(ctx)->mounts;
	return 0;
}

static int dump_encode(struct ksf_xdr *x, const void *res)
{
	struct krpc_mounts *m = *(struct krpc_mounts *const *)res;

	if (m) {
		pthread_mutex_lock(&m->lock);
		for (int i = 0; i < m->n; i++) {
			ksf_xdr_put_bool(x, true);
			ksf_xdr_put_string(x, m->e[i].host, (uint32_t)strlen(m->e[i].host));
			ksf_xdr_put_string(x, m->e[i].dir, (uint32_t)strlen(m->e[i].dir));
		}
		pthread_mutex_unlock(&m->lock);
	}
	return ksf_xdr_put_bool(x, false);
}

/* MOUNTPROC3_UMNT (§5.2.3) and UMNTALL (§5.2.4). */
static int umnt(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	struct mnt3_dirpath *d = args;
	char clean[MNT3_PATHLEN + 2], host[INET6_ADDRSTRLEN];
	struct krpc_mounts *m = krpc_ctx_of(ctx)->mounts;

	(void)call;
	(void)res;
	peer_host(ctx, host);
	if (m && !mnt3_path_clean(d->path, clean, sizeof(clean)))
		mounts_del(m, host, clean);
	return 0;
}

static int umntall(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	char host[INET6_ADDRSTRLEN];
	struct krpc_mounts *m = krpc_ctx_of(ctx)->mounts;

	(void)call;
	(void)args;
	(void)res;
	peer_host(ctx, host);
	if (m)
		mounts_del(m, host, NULL);
	return 0;
}

/* MOUNTPROC3_EXPORT (§5.2.5): every export, with an empty group list
 * (anyone may mount it). */
static int export_list(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	(void)call;
	(void)args;
	*(const struct krpc_exports **)res = &krpc_ctx_of(ctx)->exports;
	return 0;
}

static int export_encode(struct ksf_xdr *x, const void *res)
{
	const struct krpc_exports *ex = *(const struct krpc_exports *const *)res;

	for (int i = 0; i < ex->n; i++) {
		ksf_xdr_put_bool(x, true);
		ksf_xdr_put_string(x, ex->e[i].path, (uint32_t)strlen(ex->e[i].path));
		ksf_xdr_put_bool(x, false);	/* ex_groups: none */
	}
	return ksf_xdr_put_bool(x, false);
}

static const struct ksf_rpc_proc mount3_procs[] = {
	KSF_RPC_NULL_PROC,
	{ "MNT", dirpath_decode, mnt, mntres_encode, sizeof(struct mnt3_dirpath),
	  sizeof(struct mnt3_mntres), KSF_RPC_PROC_BLOCKING },
	{ "DUMP", ksf_rpc_void_decode, dump, dump_encode, 0, sizeof(void *), 0 },
	{ "UMNT", dirpath_decode, umnt, ksf_rpc_void_encode, sizeof(struct mnt3_dirpath), 0, 0 },
	{ "UMNTALL", ksf_rpc_void_decode, umntall, ksf_rpc_void_encode, 0, 0, 0 },
	{ "EXPORT", ksf_rpc_void_decode, export_list, export_encode, 0, sizeof(void *), 0 },
};

static const struct ksf_rpc_vers mount3_vers[] = {
	{ MOUNT_V3, mount3_procs, sizeof(mount3_procs) / sizeof(mount3_procs[0]) },
};

const struct ksf_rpc_prog krpc_mount3_prog = {
	.prog = MOUNT_PROG, .name = "mount", .vers = mount3_vers, .nvers = 1,
};

/* For the fuzzer and tests: the argument decoder of MNT and UMNT. */
int mnt3_dirpath_decode(struct ksf_xdr *x, void *args)
{
	return dirpath_decode(x, args);
}
