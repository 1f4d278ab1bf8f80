// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's handles and the descriptors behind them.
 *
 * A store handle is the kernel's own file handle (name_to_handle_at(2)):
 *
 *   byte 0       handle_type (FILEID_*: every type fits in a byte, the
 *                kernel's nfsd keeps it in one too)
 *   bytes 1..n   f_handle (ext4: inode and generation, 8 bytes)
 *
 * at most KRPC_SFH_MAX bytes. It names the inode for as long as it exists,
 * across krpc restarts, and does not change on rename. It is decoded with
 * open_by_handle_at(2) on the export root (an O_PATH descriptor of the
 * object; a handle that no longer resolves is -ESTALE), which needs
 * CAP_DAC_READ_SEARCH, so as fsuid 0 (store_local_ident.c).
 *
 * The store trusts its handles: open_by_handle_at resolves any inode of
 * the export's file system, also outside the export. What keeps clients
 * from naming such an inode is the MAC of the NFS handle around this one
 * (export.h): the store only ever makes handles of objects it reached
 * from the export root by single names, never crossing a mount and never
 * going above the root with "..".
 *
 * The cache: decoding costs open_by_handle_at, and for a caller other
 * than root two fsuid changes around it (about 3 us and 5 us here,
 * against 1.5 us for the statx of a GETATTR), so up to SL_CACHE_SLOTS
 * decoded objects keep their O_PATH descriptor: a set-associative table
 * (a hash of the handle picks a set of SL_CACHE_WAYS slots; the least
 * recently used unused way is replaced), slots reference counted while an
 * operation uses them, locks striped by set. With one way per handle, two
 * files whose hashes met evicted each other at every use, and every READ
 * of both left the event loop for a decode. An O_PATH
 * descriptor pins the inode, not a name: a removed file's cached
 * descriptor would keep its blocks, so REMOVE, RMDIR and RENAME forget the
 * victim's slot, and any operation that finds nlink == 0 (removed behind
 * our back) answers -ESTALE and drops it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "store_local.h"

union kfh {
	struct file_handle h;
	char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

/* The handle of name in dirfd (name "": dirfd itself), not following a
 * symlink (name_to_handle_at's default without AT_SYMLINK_FOLLOW; its
 * flags take no AT_SYMLINK_NOFOLLOW), and the id of the mount it is on
 * (mnt_id may be NULL). Returns 0, -errno, or -KRPC_ESERVERFAULT for a
 * handle longer than KRPC_SFH_MAX (EOVERFLOW from the kernel). */
int krpc__sl_fh_of(int dirfd, const char *name, struct krpc_sfh *fh, int *mnt_id)
{
	union kfh k;
	int mnt;

	k.h.handle_bytes = KRPC_SFH_MAX - 1;
	if (name_to_handle_at(dirfd, name, &k.h, &mnt, name[0] ? 0 : AT_EMPTY_PATH) < 0)
		return errno == EOVERFLOW ? -KRPC_ESERVERFAULT : -errno;
	if (k.h.handle_type < 0 || k.h.handle_type > 0xff)
		return -KRPC_ESERVERFAULT;
	fh->len = (uint8_t)(1 + k.h.handle_bytes);
	fh->data[0] = (uint8_t)k.h.handle_type;
	memcpy(fh->data + 1, k.h.f_handle, k.h.handle_bytes);
	if (mnt_id)
		*mnt_id = mnt;
	return 0;
}

/* Decode fh into a new O_PATH descriptor, as fsuid 0. */
static int decode(struct krpc_store *s, const struct krpc_sfh *fh)
{
	union kfh k;
	int fd, err;

	if (fh->len < 2 || fh->len > KRPC_SFH_MAX)
		return -KRPC_EBADHANDLE;
	k.h.handle_bytes = fh->len - 1u;
	k.h.handle_type = fh->data[0];
	memcpy(k.h.f_handle, fh->data + 1, k.h.handle_bytes);
	if ((err = krpc__sl_become_root()) < 0)
		return err;
	fd = open_by_handle_at(s->root_fd, &k.h, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case EPERM:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return -errno;
	case EINVAL:
		return -KRPC_EBADHANDLE;
	default:		/* ESTALE, ENOENT, ELOOP, ... : it is gone */
		return -ESTALE;
	}
}

unsigned krpc__sl_cache_set(const struct krpc_sfh *fh)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (unsigned i = 0; i < fh->len; i++)
		h = (h ^ fh->data[i]) * 16777619u;
	return h % SL_CACHE_SETS;
}

static pthread_mutex_t *set_lock(struct krpc_store *s, unsigned set)
{
	return &s->locks[set % SL_CACHE_LOCKS];
}

/* The lock of a slot: its set's. */
static pthread_mutex_t *lock_of(struct krpc_store *s, unsigned slot)
{
	return set_lock(s, slot / SL_CACHE_WAYS);
}

static bool same_fh(const struct krpc_sfh *a, const struct krpc_sfh *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* The slot holding fh's descriptor in set, or -1. Under the set's lock. */
static int find(struct krpc_store *s, unsigned set, const struct krpc_sfh *fh)
{
	for (unsigned i = set * SL_CACHE_WAYS; i < (set + 1) * SL_CACHE_WAYS; i++)
		if (s->slots[i].fd >= 0 && same_fh(&s->slots[i].fh, fh))
			return (int)i;
	return -1;
}

/* Mark slot i used now. Under its set's lock. */
static void touch(struct krpc_store *s, unsigned i)
{
	s->slots[i].used = ++s->clock[i / SL_CACHE_WAYS];
}

/* A slot of set that fh may take: an empty one (holding no descriptor
 * at all), else, unless empty_only, the least recently used one that no
 * operation holds; -1 if none. Under the set's lock. */
static int victim(struct krpc_store *s, unsigned set, bool empty_only)
{
	int best = -1;

	for (unsigned i = set * SL_CACHE_WAYS; i < (set + 1) * SL_CACHE_WAYS; i++) {
		const struct sl_slot *sl = &s->slots[i];

		if (sl->refs)
			continue;
		if (sl->fd < 0 && sl->rfd < 0 && sl->wfd < 0)
			return (int)i;
		if (!empty_only && (best < 0 || (int32_t)(sl->used - s->slots[best].used) < 0))
			best = (int)i;
	}
	return best;
}

/* The slot's I/O descriptors, taken out (under its lock) to be closed. */
static void take_iofds(struct sl_slot *sl, int io[2])
{
	io[0] = sl->rfd;
	io[1] = sl->wfd;
	sl->rfd = sl->wfd = -1;
}

static void close_iofds(const int io[2])
{
	for (int k = 0; k < 2; k++)
		if (io[k] >= 0)
			close(io[k]);
}

/* Install fd for fh in a slot of its set (a free one, else the least
 * recently used unused one; empty_only: only a slot holding nothing) if
 * fh is not cached already; the slot takes a reference for the caller
 * when ref is set. Returns the slot, or -1 (fd stays the caller's). */
static int install(struct krpc_store *s, const struct krpc_sfh *fh, int fd, bool ref,
		   bool empty_only)
{
	unsigned set = krpc__sl_cache_set(fh);
	pthread_mutex_t *lock = set_lock(s, set);
	int old = -1, i, io[2] = { -1, -1 };

	pthread_mutex_lock(lock);
	if (find(s, set, fh) < 0 && (i = victim(s, set, empty_only)) >= 0) {
		struct sl_slot *sl = &s->slots[i];

		old = sl->fd;
		take_iofds(sl, io);
		sl->fh = *fh;
		sl->fd = fd;
		sl->refs = ref;
		sl->grant.acc = 0;
		touch(s, (unsigned)i);
	} else {
		i = -1;
	}
	pthread_mutex_unlock(lock);
	if (old >= 0)
		close(old);
	close_iofds(io);
	return i;
}

/* Hold the object of fh for one operation: from the cache, or decoded
 * (and cached if its slot is free). Returns 0 with o set, or -ESTALE,
 * -KRPC_EBADHANDLE, -EPERM, -EMFILE. Release with krpc__sl_obj_put. */
int krpc__sl_obj_get(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o)
{
	int fd;

	if (krpc__sl_obj_cached(s, fh, o) == 0)
		return 0;
	if ((fd = decode(s, fh)) < 0)
		return fd;
	o->fd = fd;
	o->slot = install(s, fh, fd, true, false);
	return 0;
}

/* Hold the object of fh only if its descriptor is cached (no decode: an
 * event loop may call this). Returns 0 with o set, or -EAGAIN. */
int krpc__sl_obj_cached(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o)
{
	unsigned set = krpc__sl_cache_set(fh);
	pthread_mutex_t *lock = set_lock(s, set);
	int i;

	pthread_mutex_lock(lock);
	if ((i = find(s, set, fh)) >= 0) {
		s->slots[i].refs++;
		touch(s, (unsigned)i);
		o->fd = s->slots[i].fd;
		o->slot = i;
	}
	pthread_mutex_unlock(lock);
	return i >= 0 ? 0 : -EAGAIN;
}

/* The cached descriptor of o's object for reading (wr false) or writing,
 * or -1. With fd >= 0: offer fd as that descriptor; returns fd if the
 * slot took it (it is then the slot's), else -1 (it stays the caller's). */
int krpc__sl_slot_iofd(struct krpc_store *s, const struct sl_obj *o, bool wr, int fd)
{
	struct sl_slot *sl;
	int *p, got;

	if (o->slot < 0)
		return -1;
	sl = &s->slots[o->slot];
	pthread_mutex_lock(lock_of(s, (unsigned)o->slot));
	p = wr ? &sl->wfd : &sl->rfd;
	if (fd < 0)
		got = sl->fh.len ? *p : -1;	/* a forgotten slot gives none */
	else if (*p < 0 && sl->fh.len && sl->fd == o->fd)
		got = *p = fd;
	else
		got = -1;
	pthread_mutex_unlock(lock_of(s, (unsigned)o->slot));
	return got;
}

static bool same_cred(const struct krpc_cred *a, const struct krpc_cred *b)
{
	return a->uid == b->uid && a->gid == b->gid && a->ngids == b->ngids &&
	       memcmp(a->gids, b->gids, a->ngids * sizeof(a->gids[0])) == 0;
}

/* The access (R_OK | W_OK) the kernel granted cr to o's object when its
 * ctime was *ctime, as recorded by krpc__sl_slot_grant; 0 if none. */
unsigned krpc__sl_slot_granted(struct krpc_store *s, const struct sl_obj *o,
			       const struct krpc_cred *cr, const struct krpc_time *ctime)
{
	const struct sl_grant *g;
	unsigned acc = 0;

	if (o->slot < 0)
		return 0;
	g = &s->slots[o->slot].grant;
	pthread_mutex_lock(lock_of(s, (unsigned)o->slot));
	if (g->acc && s->slots[o->slot].fd == o->fd && g->ctime.sec == ctime->sec &&
	    g->ctime.nsec == ctime->nsec && same_cred(&g->cr, cr))
		acc = g->acc;
	pthread_mutex_unlock(lock_of(s, (unsigned)o->slot));
	return acc;
}

/* Record that the kernel granted cr access acc to o's object at ctime
 * (added to what it was granted at that ctime; replacing any other). */
void krpc__sl_slot_grant(struct krpc_store *s, const struct sl_obj *o, const struct krpc_cred *cr,
			 const struct krpc_time *ctime, unsigned acc)
{
	struct sl_grant *g;

	if (o->slot < 0 || cr->ngids > KRPC_CRED_MAXGIDS)
		return;
	g = &s->slots[o->slot].grant;
	pthread_mutex_lock(lock_of(s, (unsigned)o->slot));
	if (s->slots[o->slot].fd == o->fd) {
		if (!(g->acc && g->ctime.sec == ctime->sec && g->ctime.nsec == ctime->nsec &&
		      same_cred(&g->cr, cr))) {
			g->cr = *cr;
			g->ctime = *ctime;
			g->acc = 0;
		}
		g->acc |= acc;
	}
	pthread_mutex_unlock(lock_of(s, (unsigned)o->slot));
}

void krpc__sl_obj_put(struct krpc_store *s, struct sl_obj *o)
{
	struct sl_slot *sl;
	int fd = -1;

	if (o->slot < 0) {
		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		return;
	}
	int io[2] = { -1, -1 };

	sl = &s->slots[o->slot];
	pthread_mutex_lock(lock_of(s, (unsigned)o->slot));
	/* A forgotten slot (len 0) closes with its last user. */
	if (--sl->refs == 0 && sl->fh.len == 0) {
		fd = sl->fd;
		sl->fd = -1;
		take_iofds(sl, io);
	}
	pthread_mutex_unlock(lock_of(s, (unsigned)o->slot));
	if (fd >= 0)
		close(fd);
	close_iofds(io);
	o->fd = -1;
	o->slot = -1;
}

static void forget_slot(struct krpc_store *s, unsigned i, const struct krpc_sfh *fh, int fd)
{
	struct sl_slot *sl = &s->slots[i];
	int old = -1, io[2] = { -1, -1 };

	pthread_mutex_lock(lock_of(s, i));
	if (sl->fd >= 0 && (fh ? same_fh(&sl->fh, fh) : sl->fd == fd)) {
		sl->fh.len = 0;		/* findable no more */
		if (sl->refs == 0) {
			old = sl->fd;
			sl->fd = -1;
			take_iofds(sl, io);
		}
	}
	pthread_mutex_unlock(lock_of(s, i));
	if (old >= 0)
		close(old);
	close_iofds(io);
}

/* The object of o turned out removed (nlink 0): drop it from the cache
 * so its inode can go; o itself stays usable until put. */
void krpc__sl_obj_stale(struct krpc_store *s, struct sl_obj *o)
{
	if (o->slot >= 0)
		forget_slot(s, (unsigned)o->slot, NULL, o->fd);
}

/* fh is about to be removed or replaced: close its cached descriptor. */
void krpc__sl_cache_forget(struct krpc_store *s, const struct krpc_sfh *fh)
{
	unsigned set = krpc__sl_cache_set(fh);

	for (unsigned i = set * SL_CACHE_WAYS; i < (set + 1) * SL_CACHE_WAYS; i++)
		forget_slot(s, i, fh, -1);
}

/* A descriptor of fh this thread opened anyway (LOOKUP, CREATE): keep it
 * in its set (replacing the least recently used unused slot), else close
 * it. Takes fd in every case. */
void krpc__sl_cache_offer(struct krpc_store *s, const struct krpc_sfh *fh, int fd)
{
	if (install(s, fh, fd, false, false) < 0)
		close(fd);
}

/* As krpc__sl_cache_offer, but only into an empty slot, so that nothing
 * cached is closed: on an event loop, where the last close of another
 * object's descriptors could wait for the file system (a file written,
 * an unlinked one freed). Takes fd in every case. */
void krpc__sl_cache_offer_empty(struct krpc_store *s, const struct krpc_sfh *fh, int fd)
{
	if (install(s, fh, fd, false, true) < 0)
		close(fd);
}

void krpc__sl_cache_init(struct krpc_store *s)
{
	for (unsigned i = 0; i < SL_CACHE_SLOTS; i++) {
		s->slots[i].fd = -1;
		s->slots[i].rfd = s->slots[i].wfd = -1;
		s->slots[i].fh.len = 0;
		s->slots[i].refs = 0;
		s->slots[i].used = 0;
		s->slots[i].grant.acc = 0;
	}
	for (unsigned i = 0; i < SL_CACHE_SETS; i++)
		s->clock[i] = 0;
	for (unsigned i = 0; i < SL_CACHE_LOCKS; i++)
		pthread_mutex_init(&s->locks[i], NULL);
}

void krpc__sl_cache_fini(struct krpc_store *s)
{
	for (unsigned i = 0; i < SL_CACHE_SLOTS; i++) {
		int io[2];

		if (s->slots[i].fd >= 0)
			close(s->slots[i].fd);
		take_iofds(&s->slots[i], io);
		close_iofds(io);
	}
	for (unsigned i = 0; i < SL_CACHE_LOCKS; i++)
		pthread_mutex_destroy(&s->locks[i]);
}

/* A real descriptor (flags: O_RDONLY, O_WRONLY, O_RDWR, with O_DIRECTORY
 * for a directory) of the object of O_PATH descriptor fd, opened as the
 * current (caller's) identity through /proc/self/fd, so the kernel checks
 * the caller's permission as open(2) would. owner_of, when given, allows
 * the nfsd's "owner override": the owner of a regular file may read and
 * write it whatever its mode bits (a file created 0444 stays writable by
 * the client that created it, as local open files are). The owner could
 * chmod the file anyway, so this grants nothing new; it is done by
 * reopening as fsuid 0 (then back to cr) and checking the owner again on
 * the new descriptor.
 * The caller must have checked the object's type first: opening a FIFO or
 * a device node here would block or open the device. Returns the
 * descriptor or -errno. */
int krpc__sl_reopen(int fd, int flags, const struct krpc_cred *cr,
		    const struct krpc_attr *owner_of)
{
	char path[32];
	struct stat st;
	int rfd, err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rfd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	if (rfd >= 0)
		return rfd;
	err = -errno;
	if (err != -EACCES || !owner_of || owner_of->type != KRPC_REG ||
	    owner_of->uid != cr->uid || cr->uid == 0)
		return err;
	if (krpc__sl_become_root() < 0)
		return err;
	rfd = open(path, flags | O_CLOEXEC | O_NOCTTY);
	if (krpc__sl_become(cr) < 0) {
		if (rfd >= 0)
			close(rfd);
		return -EPERM;
	}
	if (rfd < 0)
		return err;
	if (fstat(rfd, &st) < 0 || st.st_uid != cr->uid) {
		close(rfd);
		return err;
	}
	return rfd;
}
