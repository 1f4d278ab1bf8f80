// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's identity switch: the calling thread's file system
 * identity (fsuid, fsgid, supplementary groups) becomes the NFS caller's,
 * so every permission check on the files is the kernel's own, as that
 * user. Credentials are per thread in Linux, and these three calls change
 * only the calling thread: setfsuid/setfsgid by nature, setgroups only as
 * the raw system call (glibc's setgroups() changes every thread of the
 * process).
 *
 * What the thread is now is cached in thread-local storage, so an
 * unchanged identity costs no system call; a change costs one to three
 * (each a new struct cred in the kernel: about 2-3 us here).
 *
 * Root and capabilities: open_by_handle_at() needs CAP_DAC_READ_SEARCH,
 * which the kernel removes from the effective set while fsuid != 0 and
 * gives back when fsuid returns to 0 (capabilities(7), "Effect of user ID
 * changes on capabilities"). So handles are decoded as fsuid 0
 * (krpc__sl_become_root: only fsuid changes; fsgid and groups stay the
 * caller's, which no check made as fsuid 0 looks at) and the operation
 * runs as the caller. This relies on the process's euid being 0
 * (store_local.c refuses to open otherwise). A caller with uid 0 (no root
 * squash) keeps every capability, as root on the host would.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "store_local.h"

struct ident {
	bool known;		/* the fields below are this thread's */
	uint32_t fsuid, fsgid;
	uint32_t ngids;
	gid_t gids[KRPC_CRED_MAXGIDS];
};

static __thread struct ident cur;

static int set_fsuid(uint32_t uid)
{
	syscall(SYS_setfsuid, uid);
	/* setfsuid reports no error; (uid_t)-1 changes nothing and returns
	 * the current value. A uid the kernel refused (not mapped in our
	 * user namespace) must not leave the thread as root. */
	if ((uint32_t)syscall(SYS_setfsuid, (uid_t)-1) != uid) {
		cur.known = false;
		return -EPERM;
	}
	cur.fsuid = uid;
	return 0;
}

static int set_fsgid(uint32_t gid)
{
	syscall(SYS_setfsgid, gid);
	if ((uint32_t)syscall(SYS_setfsgid, (gid_t)-1) != gid) {
		cur.known = false;
		return -EPERM;
	}
	cur.fsgid = gid;
	return 0;
}

static bool same_groups(const struct krpc_cred *cr)
{
	uint32_t n = cr->ngids < KRPC_CRED_MAXGIDS ? cr->ngids : KRPC_CRED_MAXGIDS;

	if (cur.ngids != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (cur.gids[i] != cr->gids[i])
			return false;
	return true;
}

static int set_groups(const struct krpc_cred *cr)
{
	uint32_t n = cr->ngids < KRPC_CRED_MAXGIDS ? cr->ngids : KRPC_CRED_MAXGIDS;

	for (uint32_t i = 0; i < n; i++)
		cur.gids[i] = cr->gids[i];
	/* The raw call: only this thread. */
	if (syscall(SYS_setgroups, (size_t)n, cur.gids) < 0) {
		cur.known = false;
		return -errno;
	}
	cur.ngids = n;
	return 0;
}

/* Make the calling thread's file system identity cr's. Returns 0, or
 * -EPERM if the kernel refused (the thread is then in an unknown state
 * and the operation must not go on). */
int krpc__sl_become(const struct krpc_cred *cr)
{
	int err;

	if (!cur.known) {
		cur.fsuid = cur.fsgid = (uint32_t)-2;	/* force every call */
		cur.ngids = (uint32_t)-1;
		cur.known = true;
	}
	/* Groups and fsgid first, while fsuid may still be 0: nothing
	 * here needs it, but the order keeps no half-changed caller
	 * identity with root's fsuid visible to an operation. */
	if (!same_groups(cr) && (err = set_groups(cr)) < 0)
		return err;
	if (cur.fsgid != cr->gid && (err = set_fsgid(cr->gid)) < 0)
		return err;
	if (cur.fsuid != cr->uid && (err = set_fsuid(cr->uid)) < 0)
		return err;
	return 0;
}

/* fsuid 0, for open_by_handle_at(). Not verified: if the kernel refused,
 * the thread is less privileged than recorded, never more, and the
 * decode fails with EPERM. Returns 0. */
int krpc__sl_become_root(void)
{
	if (cur.known && cur.fsuid == 0)
		return 0;
	if (!cur.known) {
		cur.fsgid = (uint32_t)-2;
		cur.ngids = (uint32_t)-1;
		cur.known = true;
	}
	syscall(SYS_setfsuid, 0);
	cur.fsuid = 0;
	return 0;
}

