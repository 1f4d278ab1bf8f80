// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS file handles and identities (svc/krpc/export.c): a wrapped handle
 * unwraps to the same export and store handle; any flipped bit, a
 * truncated or extended handle, a wrong version, another key, an unknown
 * export all fail; root squash and AUTH_NONE map to anon; export paths and
 * MOUNT paths resolve as documented. And the duplicate request cache
 * (lib/rpc_drc.c): hit, in progress, other arguments, eviction.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include "../../svc/krpc/export.h"
#include "../../svc/krpc/mount3.h"
#include "rpc_drc.h"
#include "check.h"

static void handles(void)
{
	struct krpc_exports ex = { .n = 2 };
	struct krpc_sfh sfh = { .len = 12 }, out;
	const struct krpc_export *e;
	uint8_t fh[KRPC_FH_MAX], bad[KRPC_FH_MAX];
	int n;

	for (int i = 0; i < 16; i++)
		ex.key[i] = (uint8_t)(i * 7 + 1);
	for (int i = 0; i < 12; i++)
		sfh.data[i] = (uint8_t)(0xa0 + i);
	ex.e[0].id = 1;
	ex.e[1].id = 2;
	ex.e[0].store = ex.e[1].store = (struct krpc_store *)&ex;	/* opened */
	n = krpc_fh_wrap(&ex, &ex.e[1], &sfh, fh);
	CHECK_EQ(n, 4 + 12 + 16);
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)n, &e, &out), 0);
	CHECK(e == &ex.e[1]);
	CHECK_EQ(out.len, 12);
	CHECK(memcmp(out.data, sfh.data, 12) == 0);
	/* every single bit flip is caught */
	for (int bit = 0; bit < n * 8; bit++) {
		memcpy(bad, fh, (size_t)n);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		int r = krpc_fh_unwrap(&ex, bad, (uint32_t)n, &e, &out);
		CHECK(r == -KRPC_EBADHANDLE || r == -ESTALE);
		CHECK(r != 0);
	}
	for (int len = 0; len < n; len++)
		CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)len, &e, &out), -KRPC_EBADHANDLE);
	memcpy(bad, fh, (size_t)n);
	bad[n] = 0;
	CHECK_EQ(krpc_fh_unwrap(&ex, bad, (uint32_t)n + 1, &e, &out), -KRPC_EBADHANDLE);
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, 65, &e, &out), -KRPC_EBADHANDLE);
	/* another key: forged */
	struct krpc_exports other = ex;
	other.key[3] ^= 1;
	CHECK_EQ(krpc_fh_unwrap(&other, fh, (uint32_t)n, &e, &out), -KRPC_EBADHANDLE);
	/* the export is gone: stale */
	ex.e[1].store = NULL;
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)n, &e, &out), -ESTALE);
	ex.n = 1;
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)n, &e, &out), -ESTALE);
	/* a store handle of 9 bytes is padded: every handle is a multiple
	 * of 4 bytes (nmap's NSE sends handles without XDR padding) */
	sfh.len = 9;
	ex.e[1].store = (struct krpc_store *)&ex;
	ex.n = 2;
	n = krpc_fh_wrap(&ex, &ex.e[1], &sfh, fh);
	CHECK_EQ(n, 4 + 12 + 16);
	CHECK_EQ(fh[2], 9);
	CHECK(fh[13] == 0 && fh[14] == 0 && fh[15] == 0);
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)n, &e, &out), 0);
	CHECK_EQ(out.len, 9);
	CHECK(memcmp(out.data, sfh.data, 9) == 0);
	CHECK_EQ(krpc_fh_unwrap(&ex, fh, (uint32_t)n - 3, &e, &out), -KRPC_EBADHANDLE);
	/* the largest store handle fits, one more does not */
	sfh.len = KRPC_SFH_MAX;
	CHECK_EQ(krpc_fh_wrap(&ex, &ex.e[0], &sfh, fh), 4 + KRPC_SFH_MAX + 16);
	sfh.len = KRPC_SFH_MAX + 1;
	CHECK_EQ(krpc_fh_wrap(&ex, &ex.e[0], &sfh, fh), -EOVERFLOW);
}

static void creds(void)
{
	struct krpc_exports ex = { .anon_uid = 65534, .anon_gid = 65533 };
	struct ksf_rpc_call call = { .cred = { .flavor = KSF_RPC_AUTH_SYS } };
	struct krpc_cred cr;

	call.sys.uid = 0;
	call.sys.gid = 0;
	call.sys.ngids = 2;
	call.sys.gids[0] = 0;
	call.sys.gids[1] = 7;
	krpc_cred_of_call(&ex, &call, &cr);
	CHECK_EQ(cr.uid, 65534);
	CHECK_EQ(cr.gid, 65533);
	CHECK_EQ(cr.ngids, 2);
	CHECK_EQ(cr.gids[0], 65533);
	CHECK_EQ(cr.gids[1], 7);
	ex.no_root_squash = true;
	krpc_cred_of_call(&ex, &call, &cr);
	CHECK_EQ(cr.uid, 0);
	CHECK_EQ(cr.gid, 0);
	call.sys.uid = 1000;
	call.sys.gid = 100;
	ex.no_root_squash = false;
	krpc_cred_of_call(&ex, &call, &cr);
	CHECK_EQ(cr.uid, 1000);
	CHECK_EQ(cr.gid, 100);
	call.cred.flavor = KSF_RPC_AUTH_NONE;
	krpc_cred_of_call(&ex, &call, &cr);
	CHECK_EQ(cr.uid, 65534);
	CHECK_EQ(cr.ngids, 0);
}

static void paths(void)
{
	struct krpc_exports ex = { 0 };
	const char *rel;
	char out[64];

	CHECK_EQ(krpc_export_add(&ex, "srv"), -EINVAL);
	CHECK_EQ(krpc_export_add(&ex, "/srv/a/,rw"), 0);
	CHECK_EQ(krpc_export_add(&ex, "/srv/a/b,ro"), 0);
	CHECK_EQ(krpc_export_add(&ex, "/srv/c,rx"), -EINVAL);
	CHECK_EQ(ex.n, 2);
	CHECK(strcmp(ex.e[0].path, "/srv/a") == 0);
	CHECK(ex.e[1].ro);
	CHECK(krpc_export_find(&ex, "/srv/a", &rel) == &ex.e[0] && !strcmp(rel, ""));
	CHECK(krpc_export_find(&ex, "/srv/a/x/y", &rel) == &ex.e[0] && !strcmp(rel, "x/y"));
	CHECK(krpc_export_find(&ex, "/srv/a/b/z", &rel) == &ex.e[1] && !strcmp(rel, "z"));
	CHECK(krpc_export_find(&ex, "/srv/ab", &rel) == NULL);
	CHECK(krpc_export_find(&ex, "/srv", &rel) == NULL);
	CHECK_EQ(mnt3_path_clean("/srv//a/./b/", out, sizeof(out)), 0);
	CHECK(strcmp(out, "/srv/a/b") == 0);
	CHECK_EQ(mnt3_path_clean("/srv/a/../../etc", out, sizeof(out)), -EACCES);
	CHECK_EQ(mnt3_path_clean("srv", out, sizeof(out)), -ENOENT);
	CHECK_EQ(mnt3_path_clean("/", out, sizeof(out)), 0);
	CHECK(strcmp(out, "/") == 0);
	krpc_exports_close(&ex);
}

static void drc(void)
{
	struct rpc_drc *d = NULL;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(700) };
	struct ksf_rpc_peek pk = { .xid = 5, .prog = 100003, .vers = 3, .proc = 8, .args_off = 4 };
	uint8_t msg[16] = { 1, 2, 3, 4, 5, 6, 7, 8 }, reply[8] = { 0x80, 0, 0, 4, 9, 9, 9, 9 };
	const uint8_t *r;
	size_t rl;
	struct rpc_drc_ref ref, ref2;

	CHECK_EQ(ksf__drc_create(&d, 4), 0);
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref, &r, &rl),
		 RPC_DRC_MISS);
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_INPROG);
	ksf__drc_done(d, &ref, reply, sizeof(reply));
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_HIT);
	CHECK_EQ(rl, 8);
	CHECK(memcmp(r, reply, 8) == 0);
	msg[9] ^= 1;	/* same xid, other arguments: a new call */
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_MISS);
	msg[9] ^= 1;
	sin.sin_port = htons(701);	/* other client port */
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_MISS);
	sin.sin_port = htons(700);
	for (uint32_t x = 100; x < 104; x++) {	/* four more calls evict the first */
		pk.xid = x;
		CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
			 RPC_DRC_MISS);
	}
	pk.xid = 5;
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_MISS);
	ksf__drc_done(d, &ref, reply, sizeof(reply));	/* stale ref: ignored */
	CHECK_EQ(ksf__drc_lookup(d, (void *)&sin, sizeof(sin), &pk, msg, 16, &ref2, &r, &rl),
		 RPC_DRC_INPROG);
	ksf__drc_destroy(d);
}

int main(void)
{
	handles();
	creds();
	paths();
	drc();
	return CHECK_DONE();
}
