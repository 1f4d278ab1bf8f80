// SPDX-License-Identifier: BSD-2-Clause
/*
 * DELETE THIS FILE WHEN export.c AND store_name.c ARE MERGED.
 *
 * Placeholders for the export.h and store.h functions the NFS layer calls
 * (krpc_fh_unwrap, krpc_fh_wrap, krpc_cred_of_call, krpc_name_check),
 * written on other branches at the same time, so that the krpc binary
 * links on the nfsproto branch alone. They fail closed: every handle is
 * NFS3ERR_BADHANDLE, no handle can be made, every caller is nobody, every
 * name is refused. After the merge they would clash with the real ones
 * (a duplicate-symbol link error), which is the reminder to delete them.
 */
#include <errno.h>
#include <string.h>
#include "export.h"

int krpc_fh_unwrap(const struct krpc_exports *ex, const uint8_t *fh, uint32_t len,
		   const struct krpc_export **e, struct krpc_sfh *sfh)
{
	(void)ex, (void)fh, (void)len, (void)e, (void)sfh;
	return -KRPC_EBADHANDLE;
}

int krpc_fh_wrap(const struct krpc_exports *ex, const struct krpc_export *e,
		 const struct krpc_sfh *sfh, uint8_t out[KRPC_FH_MAX])
{
	(void)ex, (void)e, (void)sfh, (void)out;
	return -EOVERFLOW;
}

void krpc_cred_of_call(const struct krpc_exports *ex, const struct ksf_rpc_call *call,
		       struct krpc_cred *cr)
{
	(void)ex, (void)call;
	memset(cr, 0, sizeof(*cr));
	cr->uid = cr->gid = KRPC_NOBODY;
}

int krpc_name_check(const char *name, uint32_t namelen, bool dots_ok)
{
	(void)name, (void)namelen, (void)dots_ok;
	return -EINVAL;
}
